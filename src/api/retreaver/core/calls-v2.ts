import type { CallListParams, CallWithPixels } from '../../../services/calls.js';
import type { Services } from '../../../services/index.js';
import { callLogRoutes } from './calls.js';
import type { CoreApp } from './plugin.js';
import { presentCallV2 } from './present-call.js';
import { CallsV2 } from './responses-calls.js';

/** V2 and V3 read the same calls: each with its fired pixels. */
export function callsWithPixels(calls: Services['calls']) {
  return {
    list: (companyId: number, query: CallListParams) => calls.listWithPixels(companyId, query),
    get: (companyId: number, uuid: string) => calls.getWithPixels(companyId, uuid),
    uuidOf: (c: CallWithPixels) => c.call.uuid,
  };
}

/** Calls V2: the same log and parameters as V1, with money, routing, pixels and tags. */
export async function callV2Routes(app: CoreApp, { calls, callFlow }: Pick<Services, 'calls' | 'callFlow'>) {
  await callLogRoutes(app, callFlow, {
    path: '/api/v2/calls',
    tag: 'Calls V2',
    suffix: ' (V2)',
    schemas: CallsV2,
    ...callsWithPixels(calls),
    presenter: async () => {
      const now = calls.now();
      return (c) => presentCallV2(c, now);
    },
  });
}
