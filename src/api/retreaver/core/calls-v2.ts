import type { Services } from '../../../services/index.js';
import { send, sendPage } from '../reply.js';
import { CallListQuery, UuidParams } from './calls.js';
import { AuthQuery } from './common.js';
import type { CoreApp } from './plugin.js';
import { presentCallV2 } from './present-call.js';

const tags = ['Calls V2'];

/** Calls V2: the same log and parameters as V1, with money, routing, pixels and tags. */
export async function callV2Routes(app: CoreApp, { calls }: Pick<Services, 'calls'>) {
  app.get(
    '/api/v2/calls',
    { schema: { tags, summary: 'Get recent Calls (V2)', querystring: CallListQuery } },
    async (req, reply) => {
      const page = await calls.listWithPixels(req.core.companyId, req.query);
      const now = calls.now();
      return sendPage(reply, page, (c) => presentCallV2(c, now), 'calls');
    },
  );

  app.get(
    '/api/v2/calls/:uuid',
    { schema: { tags, summary: 'Get a specific Call (V2)', params: UuidParams, querystring: AuthQuery } },
    async (req, reply) =>
      send(reply, presentCallV2(await calls.getWithPixels(req.core.companyId, req.params.uuid), calls.now())),
  );
}
