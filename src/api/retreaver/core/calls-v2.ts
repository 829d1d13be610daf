import type { Services } from '../../../services/index.js';
import { send, sendPage } from '../reply.js';
import { CallGetQuery, CallListQuery, UuidParams, withFlowEvents } from './calls.js';
import type { CoreApp } from './plugin.js';
import { presentCallV2 } from './present-call.js';
import { CallsV2 } from './responses-calls.js';

const tags = ['Calls V2'];

/** Calls V2: the same log and parameters as V1, with money, routing, pixels and tags. */
export async function callV2Routes(app: CoreApp, { calls, callFlow }: Pick<Services, 'calls' | 'callFlow'>) {
  app.get(
    '/api/v2/calls',
    {
      schema: {
        response: { 200: CallsV2.list },
        tags,
        summary: 'Get recent Calls (V2)',
        querystring: CallListQuery,
      },
    },
    async (req, reply) => {
      const page = await calls.listWithPixels(req.core.companyId, req.query);
      const now = calls.now();
      const present = await withFlowEvents(
        req.query,
        callFlow,
        req.core.companyId,
        page.rows,
        (c) => c.call.uuid,
        (c) => presentCallV2(c, now),
      );
      return sendPage(reply, page, present, 'calls');
    },
  );

  app.get(
    '/api/v2/calls/:uuid',
    {
      schema: {
        response: { 200: CallsV2.one },
        tags,
        summary: 'Get a specific Call (V2)',
        params: UuidParams,
        querystring: CallGetQuery,
      },
    },
    async (req, reply) => {
      const c = await calls.getWithPixels(req.core.companyId, req.params.uuid);
      const now = calls.now();
      const present = await withFlowEvents(
        req.query,
        callFlow,
        req.core.companyId,
        [c],
        (x) => x.call.uuid,
        (x) => presentCallV2(x, now),
      );
      return send(reply, present(c));
    },
  );
}
