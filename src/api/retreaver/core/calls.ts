import { type Static, type TSchema, Type } from 'typebox';
import type { Services } from '../../../services/index.js';
import type { Page } from '../../../store/paging.js';
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

/**
 * One version of the call log: where it answers, what it reads, and how it presents a page. V1, V2 and
 * V3 differ only in these; the routes, paging and call-flow events are the same (`callLogRoutes`).
 */
export interface CallLogVersion<T> {
  /** `/calls`, `/api/v2/calls`, … (the `.json`/`.xml` suffix is the format plugin's). */
  path: string;
  /** OpenAPI: the tag, and what the summaries add after "Get recent Calls" / "Get a specific Call". */
  tag: string;
  suffix: string;
  schemas: { list: TSchema; one: TSchema };
  list(companyId: number, query: Static<typeof CallListQuery>): Promise<Page<T>>;
  get(companyId: number, uuid: string): Promise<T>;
  uuidOf(item: T): string;
  /** The presenter of these calls; what a version adds beside each call is read here, once a page. */
  presenter(companyId: number, items: T[]): Promise<(item: T) => { call: object }>;
}

/** The list and get routes of one version of the call log. */
export async function callLogRoutes<T>(app: CoreApp, callFlow: FlowSource, v: CallLogVersion<T>) {
  const tags = [v.tag];
  const presentAll = async (companyId: number, query: unknown, items: T[]) =>
    withFlowEvents(query, callFlow, companyId, items, v.uuidOf, await v.presenter(companyId, items));
  app.get(
    v.path,
    {
      schema: {
        response: { 200: v.schemas.list },
        tags,
        summary: `Get recent Calls${v.suffix}`,
        querystring: CallListQuery,
      },
    },
    async (req, reply) => {
      const page = await v.list(req.core.companyId, req.query);
      return sendPage(reply, page, await presentAll(req.core.companyId, req.query, page.rows), 'calls');
    },
  );
  app.get(
    `${v.path}/:uuid`,
    {
      schema: {
        response: { 200: v.schemas.one },
        tags,
        summary: `Get a specific Call${v.suffix}`,
        params: UuidParams,
        querystring: CallGetQuery,
      },
    },
    async (req, reply) => {
      const call = await v.get(req.core.companyId, req.params.uuid);
      return send(reply, (await presentAll(req.core.companyId, req.query, [call]))(call));
    },
  );
}

/** Calls V1: the call log as the seed's first examples show it. */
export async function callRoutes(app: CoreApp, { calls, callFlow }: Pick<Services, 'calls' | 'callFlow'>) {
  await callLogRoutes(app, callFlow, {
    path: '/calls',
    tag: 'Calls',
    suffix: '',
    schemas: CallsV1,
    list: (companyId, query) => calls.list(companyId, query),
    get: (companyId, uuid) => calls.get(companyId, uuid),
    uuidOf: (c) => c.uuid,
    presenter: async () => presentCallV1,
  });
}
