import { Type } from 'typebox';
import type { Services } from '../../../services/index.js';
import { send, sendPage } from '../reply.js';
import { PageQuery } from './common.js';
import type { CoreApp } from './plugin.js';
import { presentCallV1 } from './present-call.js';
import { CallsV1 } from './responses-calls.js';

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
    call_flow_events: Type.Optional(
      Type.String({ description: '"true" adds each call\'s journey (docs/call-flow-events.md).' }),
    ),
  },
  { additionalProperties: true },
);

/** `call_flow_events=true` on any calls endpoint (V1, V2, V3). */
export const CallGetQuery = Type.Object(
  {
    api_key: Type.Optional(Type.String()),
    company_id: Type.Optional(Type.String()),
    call_flow_events: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

type FlowSource = Pick<Services, 'callFlow'>['callFlow'];

/**
 * With `call_flow_events=true`, a presenter that adds each call's journey to what `present` shows;
 * otherwise `present` itself. The journeys of the whole page are read in one query.
 */
export async function withFlowEvents<T, P extends { call: object }>(
  query: unknown,
  callFlow: FlowSource,
  companyId: number,
  items: T[],
  uuidOf: (item: T) => string,
  present: (item: T) => P,
): Promise<(item: T) => P> {
  const wanted = String((query as Record<string, unknown>)?.call_flow_events ?? '').toLowerCase();
  if (wanted !== 'true' && wanted !== '1') return present;
  const events = await callFlow.of(companyId, items.map(uuidOf));
  return (item) => {
    const p = present(item);
    const list = events.get(uuidOf(item)) ?? [];
    return {
      ...p,
      call: {
        ...p.call,
        call_flow_events: list.map((e) => ({ at: new Date(e.at), type: e.type, details: e.details })),
      },
    };
  };
}

// Any string: a uuid that is not one of ours is simply not found (404), not malformed input.
export const UuidParams = Type.Object({ uuid: Type.String({ minLength: 1 }) });

const tags = ['Calls'];

/** Calls V1: the call log as the seed's first examples show it. */
export async function callRoutes(app: CoreApp, { calls, callFlow }: Pick<Services, 'calls' | 'callFlow'>) {
  app.get(
    '/calls',
    {
      schema: {
        response: { 200: CallsV1.list },
        tags,
        summary: 'Get recent Calls',
        querystring: CallListQuery,
      },
    },
    async (req, reply) => {
      const page = await calls.list(req.core.companyId, req.query);
      const present = await withFlowEvents(
        req.query,
        callFlow,
        req.core.companyId,
        page.rows,
        (c) => c.uuid,
        presentCallV1,
      );
      return sendPage(reply, page, present, 'calls');
    },
  );

  app.get(
    '/calls/:uuid',
    {
      schema: {
        response: { 200: CallsV1.one },
        tags,
        summary: 'Get a specific Call',
        params: UuidParams,
        querystring: CallGetQuery,
      },
    },
    async (req, reply) => {
      const call = await calls.get(req.core.companyId, req.params.uuid);
      const present = await withFlowEvents(
        req.query,
        callFlow,
        req.core.companyId,
        [call],
        (c) => c.uuid,
        presentCallV1,
      );
      return send(reply, present(call));
    },
  );
}
