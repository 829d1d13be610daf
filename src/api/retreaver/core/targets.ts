import { type Static, Type } from 'typebox';
import type { Services } from '../../../services/index.js';
import type { TargetInput, TargetRef, TargetView } from '../../../services/targets.js';
import { send, sendPage } from '../reply.js';
import { bodilessJsonRoutes, capAttributeFields, INT_MAX, presentCaps } from './caps.js';
import { AuthQuery, bool, IdParams, ListQuery, Nullable, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { Targets } from './responses.js';

const Text = (maxLength = 255) => Type.String({ maxLength });
const Int = (minimum: number, maximum = INT_MAX) => Type.Integer({ minimum, maximum });
const HHMM = Int(0, 2400);
const ReadOnly = Type.Optional(Type.Unknown());

const BusinessHourAttributes = Type.Object(
  {
    id: Type.Optional(Int(1)),
    day_of_week: Int(0, 6),
    work_day: Type.Optional(Type.Boolean()),
    time_open: Type.Optional(HHMM),
    time_close: Type.Optional(HHMM),
    invert: Type.Optional(Type.Boolean()),
    inverted: Type.Optional(Type.Boolean()),
    _destroy: Type.Optional(Type.Boolean()),
    target_id: ReadOnly,
    created_at: ReadOnly,
    updated_at: ReadOnly,
  },
  { additionalProperties: false },
);

export const TargetBody = Type.Object(
  {
    name: Type.Optional(Nullable(Text())),
    number: Type.Optional(Text()),
    sip_username: Type.Optional(Nullable(Text())),
    sip_password: Type.Optional(Nullable(Text())),
    tid: Type.Optional(Nullable(Text())),
    priority: Type.Optional(Int(0)),
    weight: Type.Optional(Int(0)),
    timeout_seconds: Type.Optional(Int(1, 600)),
    inband_signals: Type.Optional(Type.Boolean()),
    timer_offset: Type.Optional(Int(-86_400, 86_400)),
    send_digits: Type.Optional(Nullable(Text(100))),
    concurrency_cap: Type.Optional(Nullable(Int(0))),
    paused: Type.Optional(Type.Boolean()),
    obfuscate_cid: Type.Optional(Type.Boolean()),
    // null: the call is the handler's once answered; see docs/compat.md "Call Control API".
    live_call_mode: Type.Optional(
      Type.Unsafe<'return' | 'acceptance' | null>({
        type: ['string', 'null'],
        enum: ['return', 'acceptance', null],
      }),
    ),
    // A dynamic buyer's RTB ping URL; see docs/compat.md "Dynamic buyers".
    ping_url: Type.Optional(Nullable(Text(2000))),
    time_zone: Type.Optional(Text(100)),
    tag_list: Type.Optional(Text(20_000)),
    business_hours_attributes: Type.Optional(Type.Array(BusinessHourAttributes, { maxItems: 50 })),
    ...capAttributeFields,
    // Read-only fields a client may echo back from a GET; accepted and ignored.
    id: ReadOnly,
    cid_number_id: ReadOnly,
    object_key: ReadOnly,
    calls_in_progress: ReadOnly,
    paused_at: ReadOnly,
    created_at: ReadOnly,
    updated_at: ReadOnly,
    caps: ReadOnly,
    business_hours: ReadOnly,
    tag_values: ReadOnly,
  },
  { additionalProperties: false },
);
type TargetBody = Static<typeof TargetBody>;

const TidParams = Type.Object({ tid: Type.String({ minLength: 1, maxLength: 255 }) });

export function presentTarget({ target: t, caps, businessHours, tags, callsInProgress }: TargetView) {
  return {
    target: {
      id: t.id,
      number: t.number,
      sip_username: t.sip_username,
      sip_password: t.sip_password,
      cid_number_id: t.cid_number_id,
      obfuscate_cid: bool(t.obfuscate_cid),
      created_at: time(t.created_at),
      updated_at: time(t.updated_at),
      object_key: t.object_key,
      tid: t.tid,
      priority: t.priority,
      weight: t.weight,
      timeout_seconds: t.timeout_seconds,
      timer_offset: t.timer_offset,
      send_digits: t.send_digits,
      concurrency_cap: t.concurrency_cap,
      calls_in_progress: callsInProgress,
      inband_signals: bool(t.inband_signals),
      time_zone: t.time_zone,
      paused: bool(t.paused),
      paused_at: time(t.paused_at),
      name: t.name,
      live_call_mode: t.live_call_mode,
      ping_url: t.ping_url,
      caps: presentCaps(caps),
      business_hours: businessHours.map((h) => ({
        id: h.id,
        target_id: h.target_id,
        work_day: bool(h.work_day),
        time_open: h.time_open,
        time_close: h.time_close,
        day_of_week: h.day_of_week,
        invert: bool(h.invert),
        created_at: time(h.created_at),
        updated_at: time(h.updated_at),
      })),
      tag_values: tags.map((g) => ({ key: g.key, value: g.value, operator: g.operator, id: g.id })),
    },
  };
}

const tags = ['Targets'];

export async function targetRoutes(app: CoreApp, { targets }: Pick<Services, 'targets'>) {
  app.get(
    '/targets',
    { schema: { tags, summary: 'Get all Targets', querystring: ListQuery, response: { 200: Targets.list } } },
    async (req, reply) =>
      sendPage(reply, await targets.list(req.core.companyId, req.query.page ?? 1), presentTarget, 'targets'),
  );

  app.post(
    '/targets',
    {
      config: { wrap: 'target' },
      schema: {
        tags,
        summary: 'Create a Target',
        body: TargetBody,
        querystring: AuthQuery,
        response: { 201: Targets.one },
      },
    },
    async (req, reply) =>
      send(reply, presentTarget(await targets.create(req.core.companyId, req.body as TargetInput)), {
        status: 201,
      }),
  );

  // The same verbs by tid (the customer's id) and by our internal id.
  const byRef = [
    { url: '/targets/tid/:tid', params: TidParams, ref: (p: any): TargetRef => String(p.tid) },
    { url: '/targets/:id', params: IdParams, ref: (p: any): TargetRef => Number(p.id) },
  ];
  for (const { url, params, ref } of byRef) {
    app.get(
      url,
      {
        schema: {
          tags,
          summary: 'Get a specific Target',
          params,
          querystring: AuthQuery,
          response: { 200: Targets.one },
        },
      },
      async (req, reply) =>
        send(reply, presentTarget(await targets.get(req.core.companyId, ref(req.params)))),
    );
    app.put(
      url,
      {
        config: { wrap: 'target' },
        schema: {
          tags,
          summary: 'Update a Target',
          params,
          body: TargetBody,
          querystring: AuthQuery,
          response: { 200: Targets.one },
        },
      },
      async (req, reply) =>
        send(
          reply,
          presentTarget(await targets.update(req.core.companyId, ref(req.params), req.body as TargetBody)),
        ),
    );
    app.delete(
      url,
      {
        schema: {
          tags,
          summary: 'Remove a Target',
          params,
          querystring: AuthQuery,
          response: { 200: Targets.one },
        },
      },
      async (req, reply) =>
        send(reply, presentTarget(await targets.remove(req.core.companyId, ref(req.params)))),
    );
  }
  await bodilessJsonRoutes(app, (scope) => {
    for (const { url, params, ref } of byRef) {
      scope.post(
        `${url}/reset_cap`,
        {
          schema: {
            tags,
            summary: "Reset a Target's hard cap",
            params,
            querystring: AuthQuery,
            response: { 200: Targets.one },
          },
        },
        async (req, reply) =>
          send(reply, presentTarget(await targets.resetCap(req.core.companyId, ref(req.params)))),
      );
    }
  });
}
