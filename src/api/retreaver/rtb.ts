import type { FastifyReply, FastifyRequest } from 'fastify';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { type TProperties, Type } from 'typebox';
import { RateLimited, ValidationFailed } from '../../domain/errors.js';
import { fromCents } from '../../domain/money.js';
import type { RateLimiter } from '../../live/live-state.js';
import type { Services } from '../../services/index.js';
import type { Reservation } from '../../services/reservations.js';
import type { PingInput, ReservationFacts } from '../../services/rtb.js';
import { registerBodyParsers } from './body.js';
import type { CoreApp } from './core/plugin.js';
import { toWireError, wireError } from './errors.js';
import { negotiate } from './format.js';
import { send, sendError } from './reply.js';
import { CallReservationAnswer, DataWritingAnswer, RtbAnswer } from './responses-rtb.js';

export interface RtbApiDeps {
  rtb: Services['rtb'];
  dataWriting: Services['dataWriting'];
  /** Counted per postback key: pings, call reservations and Data Writing share one limit. */
  rateLimiter: RateLimiter;
  isMaintenance: () => boolean;
}

/** Parameters with a meaning of their own; every other one tags the ping (seed: "additional query parameters"). */
const NAMED = new Set([
  'key',
  'publisher_id',
  'source_id',
  'affiliate_id',
  'caller_number',
  'inbound_number',
  'api_key',
]);

const tags = ['Real-time bidding'];
const PingDoc = {
  tags,
  querystring: Type.Object(
    {
      key: Type.Optional(Type.String({ description: "The campaign's postback key." })),
      publisher_id: Type.Optional(
        Type.String({ description: 'The publisher (afid); `source_id` and `affiliate_id` too.' }),
      ),
      caller_number: Type.Optional(Type.String()),
      inbound_number: Type.Optional(
        Type.String({ description: 'A static number of the campaign instead of a pool number.' }),
      ),
    },
    { additionalProperties: true },
  ),
};

/** A body that may be left out (Fastify validates a missing body as null). */
function optionalBody(props: TProperties, description: string) {
  const schema = Type.Object(props, { additionalProperties: true, description });
  return Type.Unsafe<Record<string, unknown> | null>({ ...schema, type: ['object', 'null'] });
}

/** The same parameters in a JSON, form or XML body (the seed's "RTB Body Parameters"). */
const PingBody = optionalBody(
  {
    key: Type.Optional(Type.String()),
    publisher_id: Type.Optional(Type.String()),
    source_id: Type.Optional(Type.String()),
    affiliate_id: Type.Optional(Type.String()),
    caller_number: Type.Optional(Type.String()),
    inbound_number: Type.Optional(Type.String()),
  },
  'Optional; every other field tags the ping.',
);

/**
 * Retreaver's RTB (`POST /rtbs.json`) and Call Reservation (`POST /call_reservations.json`) endpoints.
 * They authenticate with the campaign's postback key, not an api_key, so they live in their own scope.
 */
export async function rtbRoutes(app: CoreApp, deps: RtbApiDeps): Promise<void> {
  await registerBodyParsers(app);
  app.decorateRequest('format', 'json');
  app.addHook('onRequest', async (request, reply) => {
    const format = negotiate(request.raw);
    if (!format) return sendError(reply, wireError(406, 'Not Acceptable: ask for JSON or XML'));
    request.format = format;
    if (deps.isMaintenance())
      return sendError(reply, wireError(503, 'Service Unavailable: temporarily offline for maintenance'));
  });
  app.setErrorHandler((err, request, reply) => {
    const wire = toWireError(err);
    if (wire.status >= 500) request.log.error({ err }, 'request failed');
    return sendError(reply, wire);
  });
  // After the body is read, where the key may be (path, then body over query, as the handlers read it).
  // A key that turns out unknown is counted too: guessing keys is throttled like using one.
  app.addHook('preHandler', async (request) => {
    const key = postbackKeyOf(request);
    if (!key) return;
    const wait = await deps.rateLimiter.hit(`postback:${key}`);
    if (wait > 0) throw new RateLimited(wait);
  });

  app.post(
    '/rtbs',
    {
      schema: {
        ...PingDoc,
        summary: 'Place a real-time bid (ping) for a caller',
        body: PingBody,
        response: { 200: RtbAnswer },
      },
    },
    async (req, reply) => {
      const { reservation, shielded } = await deps.rtb.ping(pingInput(req));
      return send(reply, presentRtb(reservation, shielded), { root: 'rtb' });
    },
  );

  app.post(
    '/call_reservations',
    {
      schema: {
        ...PingDoc,
        summary: 'Reserve a transfer number for a caller (call reservation webhook)',
        body: PingBody,
        response: { 200: CallReservationAnswer },
      },
    },
    async (req, reply) => {
      const { reservation, shielded } = await deps.rtb.ping(pingInput(req));
      const facts = await deps.rtb.reservationFacts(reservation);
      return send(reply, presentCallReservation(reservation, facts, shielded));
    },
  );

  dataWritingRoutes(app, deps);

  app.get(
    '/call_reservations/:uuid',
    {
      schema: {
        tags,
        summary: 'Get a call reservation (postback key of its campaign)',
        params: Type.Object({ uuid: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object({ key: Type.Optional(Type.String()) }, { additionalProperties: true }),
        response: { 200: CallReservationAnswer },
      },
    },
    async (req, reply) => {
      const row = await deps.rtb.reservationByKey(
        (req.params as { uuid: string }).uuid,
        (req.query as any).key,
      );
      return send(reply, presentCallReservation(row, await deps.rtb.reservationFacts(row), false));
    },
  );
}

const DataWritingDoc = {
  tags: ['Call Data Writing'],
  querystring: Type.Object(
    {
      key: Type.Optional(Type.String({ description: 'A postback key of the call’s campaign.' })),
      caller_number: Type.Optional(Type.String({ description: 'The caller (this or call_uuid).' })),
      call_uuid: Type.Optional(Type.String({ description: 'The call (this or caller_number).' })),
    },
    { additionalProperties: true, description: 'Every other parameter is a tag.' },
  ),
};
const DataWritingBody = optionalBody(
  {
    key: Type.Optional(Type.String()),
    caller_number: Type.Optional(Type.String()),
    call_uuid: Type.Optional(Type.String()),
  },
  'Optional; every other field is a tag.',
);
const DATA_WRITING_NAMED = new Set(['key', 'caller_number', 'call_uuid', 'api_key']);

/**
 * Retreaver's Call Data Writing API (`GET /data_writing/:key?caller_number=…&tag=value`,
 * `POST /data_writing` with the key in the body): tags a caller's call before, during or after it.
 */
function dataWritingRoutes(app: CoreApp, deps: RtbApiDeps): void {
  const write = async (req: FastifyRequest, reply: FastifyReply, pathKey?: string) => {
    const params = scalarParams(req);
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (!DATA_WRITING_NAMED.has(k)) tags[k] = v;
    const result = await deps.dataWriting.write({
      key: pathKey ?? params.key,
      callerNumber: params.caller_number,
      callUuid: params.call_uuid,
      tags,
    });
    return send(reply, result, { root: 'data_writing' });
  };
  const KeyParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 100 }) });
  const summary = 'Tag a caller’s call (Call Data Writing)';
  const response = { 200: DataWritingAnswer };
  const body = DataWritingBody;
  app.get(
    '/data_writing/:key',
    { schema: { ...DataWritingDoc, summary, params: KeyParams, response } },
    (req, reply) => write(req, reply, (req.params as { key: string }).key),
  );
  app.post(
    '/data_writing/:key',
    { schema: { ...DataWritingDoc, summary, params: KeyParams, body, response } },
    (req, reply) => write(req, reply, (req.params as { key: string }).key),
  );
  app.get('/data_writing', { schema: { ...DataWritingDoc, summary, response } }, (req, reply) =>
    write(req, reply),
  );
  app.post('/data_writing', { schema: { ...DataWritingDoc, summary, body, response } }, (req, reply) =>
    write(req, reply),
  );
}

function postbackKeyOf(req: FastifyRequest): string | undefined {
  const pick = (o: unknown) =>
    o && typeof o === 'object' && typeof (o as { key?: unknown }).key === 'string'
      ? ((o as { key: string }).key as string)
      : undefined;
  return pick(req.params) ?? pick(req.body) ?? pick(req.query);
}

/** Query parameters, then body parameters over them (JSON, form or XML); values must be scalars. */
function scalarParams(req: FastifyRequest): Record<string, string> {
  const params: Record<string, string> = {};
  const body = req.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw ValidationFailed.field('body', 'must be an object');
  for (const source of [req.query as Record<string, unknown>, body as Record<string, unknown>]) {
    for (const [k, v] of Object.entries(source)) {
      if (v === null || v === undefined) continue;
      if (typeof v === 'object') throw ValidationFailed.field(k, 'must be a single value');
      params[k] = String(v);
    }
  }
  return params;
}

/** A ping's named parameters and its tags. */
function pingInput(req: FastifyRequest): PingInput {
  const params = scalarParams(req);
  const tagsOut: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (!NAMED.has(k)) tagsOut[k] = v;
  return {
    key: params.key,
    publisherId: params.publisher_id ?? params.source_id ?? params.affiliate_id,
    callerNumber: params.caller_number,
    inboundNumber: params.inbound_number,
    tags: tagsOut,
  };
}

const time = (ms: number | null) => (ms === null ? null : new Date(ms));

/** The seed's RTB answer; `retreaver_ping_shield` only appears on a shielded (cached) answer. */
export function presentRtb(r: Reservation, shielded: boolean) {
  return {
    uuid: r.uuid,
    status: r.status,
    retreaver_payout: r.payout_cents === null ? null : fromCents(r.payout_cents),
    retreaver_seconds: r.seconds,
    inbound_number: r.inbound_number,
    expires_at: time(r.expires_at),
    ...(shielded ? { retreaver_ping_shield: true } : {}),
  };
}

/**
 * The seed's `call_reservation`: `inbound_number` as the seed prints it (E.164 digits as a JSON number)
 * and the `call` it stands for, which is the claiming call's record once there is one.
 */
export function presentCallReservation(r: Reservation, facts: ReservationFacts, shielded: boolean) {
  const { call, target } = facts;
  const tagValues = Object.entries(JSON.parse(r.tags) as Record<string, string>).map(([key, value]) => ({
    key,
    value,
  }));
  return {
    call_reservation: {
      uuid: r.uuid,
      inbound_number: r.inbound_number ? Number(r.inbound_number.replace(/\D/g, '')) : null,
      caller_number: r.caller_number,
      status: r.status,
      expires_at: time(r.expires_at),
      claimed_at: time(r.claimed_at),
      wiped_at: time(r.wiped_at),
      ...(shielded ? { retreaver_ping_shield: true } : {}),
      call: {
        formatted_caller_number: formatNational(r.caller_number),
        status: call?.status ?? r.status,
        start_time: call?.start_time ?? null,
        // A reservation that found no buyer ended there and then.
        end_time: call?.end_time ?? (r.status === 'no-target' ? r.created_at : null),
        caller_number: r.caller_number,
        target_id: call?.target_id ?? r.target_id,
        winning_leg_connected_at: call?.connected_time ?? null,
        winning_leg_disconnected_at: call?.connected_time != null ? (call.end_time ?? null) : null,
        matched_targets: target
          ? [{ id: target.id, tid: target.tid, name: target.name, number: target.number }]
          : [],
        tag_values: tagValues,
        conversion_groups:
          r.payout_cents === null ? [] : [{ seconds: r.seconds, payout: fromCents(r.payout_cents) }],
      },
    },
  };
}

/** `(098) 765-4321` for North American numbers, as the seed shows even for ones the plan calls invalid. */
function formatNational(e164: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  if (nanp) return `(${nanp[1]}) ${nanp[2]}-${nanp[3]}`;
  return parsePhoneNumberFromString(e164)?.formatNational() ?? e164;
}
