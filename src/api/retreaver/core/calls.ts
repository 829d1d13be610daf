import { Type } from 'typebox';
import type { Services } from '../../../services/index.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, PageQuery } from './common.js';
import type { CoreApp } from './plugin.js';
import { presentCallV1 } from './present-call.js';

/** The list parameters both versions share; values are checked by the service so a 400 names each one. */
export const CallListQuery = Type.Object(
  {
    ...PageQuery,
    created_at_start: Type.Optional(Type.String()),
    created_at_end: Type.Optional(Type.String()),
    sort_by: Type.Optional(Type.String()),
    order: Type.Optional(Type.String()),
    caller: Type.Optional(Type.String()),
    client_afid: Type.Optional(Type.String()),
    client_cid: Type.Optional(Type.String()),
    client_tid: Type.Optional(Type.String()),
    sub_id: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

// Any string: a uuid that is not one of ours is simply not found (404), not malformed input.
export const UuidParams = Type.Object({ uuid: Type.String({ minLength: 1 }) });

const tags = ['Calls'];

/** Calls V1: the call log as the seed's first examples show it. */
export async function callRoutes(app: CoreApp, { calls }: Pick<Services, 'calls'>) {
  app.get(
    '/calls',
    { schema: { tags, summary: 'Get recent Calls', querystring: CallListQuery } },
    async (req, reply) =>
      sendPage(reply, await calls.list(req.core.companyId, req.query), presentCallV1, 'calls'),
  );

  app.get(
    '/calls/:uuid',
    { schema: { tags, summary: 'Get a specific Call', params: UuidParams, querystring: AuthQuery } },
    async (req, reply) => send(reply, presentCallV1(await calls.get(req.core.companyId, req.params.uuid))),
  );
}
