import { Type } from 'typebox';
import { type Clock, ManualClock } from '../../clock.js';
import { NotFound, RuleViolation } from '../../domain/errors.js';
import { normalizePhone } from '../../domain/phone.js';
import type { CallEngine } from '../../engine/engine.js';
import type { AccountService } from '../../services/accounts.js';
import type { Db } from '../../store/db.js';
import { companyOfCall } from '../../store/lookups.js';
import { toBehaviour } from '../../telephony/sim/endpoints.js';
import type { SimNetwork } from '../../telephony/sim/network.js';
import { assertMayWrite, type CoreApp } from '../retreaver/core/plugin.js';
import { toWireError } from '../retreaver/errors.js';
import { hearing, presentLeg } from './present.js';
import { SimCall, SimClock, SimEndpoint, SimLeg, SimPlaced } from './responses.js';

export interface SimApiDeps {
  sim: SimNetwork;
  engine: CallEngine;
  clock: Clock;
  accounts: AccountService;
  db: Db;
}

const Digits = Type.Object(
  { digits: Type.String({ pattern: '^[0-9*#wW]{1,64}$' }) },
  { additionalProperties: false },
);
const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const tags = ['Simulated network'];

/**
 * The sim control API: set how virtual endpoints behave, place calls from virtual callers, press keys,
 * hang up, and move the manual clock. Authenticated with a Core API key; a call is visible only to
 * keys of the company whose number it rang, and endpoint behaviours apply only to that company's calls.
 */
export async function simRoutes(app: CoreApp, deps: SimApiDeps): Promise<void> {
  const { sim, engine, clock } = deps;
  app.decorateRequest('simCompanies', null as unknown as number[]);
  app.addHook('onRequest', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const auth = req.headers.authorization;
    const key = q.api_key ?? (auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined);
    const principal = await deps.accounts.authenticate(key);
    assertMayWrite(principal, req.method);
    (req as any).simCompanies = principal.companyIds;
    // Endpoint behaviours belong to one company: the key's (or company_id's among the key's).
    (req as any).simCompany = deps.accounts.resolveCompany(principal, q.company_id);
  });
  app.setErrorHandler((err, _req, reply) => {
    const wire = toWireError(err);
    return reply.code(wire.status).send(wire.body);
  });

  const visibleCall = async (req: unknown, id: string) => {
    const { call, legs } = sim.call(id);
    const companyId = call.callUuid ? await companyOfCall(deps.db, call.callUuid) : undefined;
    if (companyId === undefined || !(req as any).simCompanies.includes(companyId))
      throw new NotFound('Sim call');
    return { call, legs };
  };
  const visibleLeg = async (req: unknown, id: string) => {
    const leg = sim.leg(id);
    await visibleCall(req, leg.simCallId);
    return leg;
  };
  const show = async (req: unknown, id: string) => {
    // This call settled is what its caller hears; waiting for every live call would tie each
    // request to all the others (p99 1.9 s at 50 concurrent set-ups).
    const uuid = sim.call(id).call.callUuid;
    await (uuid ? engine.whenCallIdle(uuid) : engine.whenIdle());
    const { call, legs } = await visibleCall(req, id);
    const inbound = legs[0];
    return {
      id: call.id,
      call_uuid: call.callUuid,
      state: inbound.state,
      hearing: hearing(inbound, legs),
      legs: legs.map(presentLeg),
    };
  };

  app.post(
    '/sim/endpoints',
    {
      schema: {
        tags,
        summary: 'Set how a virtual endpoint behaves',
        response: { 200: SimEndpoint },
        body: Type.Object(
          {
            number: Type.String({ minLength: 1, maxLength: 255 }),
            answer_after_s: Type.Optional(Type.Number({ minimum: 0, maximum: 3600 })),
            // `type: [number, null]`, not anyOf: the validator coerces types, and in an anyOf the first
            // branch wins, so null became 0 ("hang up at once", not "stay on the line") or 0 became null.
            hangup_after_s: Type.Optional(
              Type.Unsafe<number | null>({ type: ['number', 'null'], minimum: 0, maximum: 86400 }),
            ),
            busy: Type.Optional(Type.Boolean()),
            no_answer: Type.Optional(Type.Boolean()),
            reject: Type.Optional(Type.Boolean()),
            unreachable: Type.Optional(Type.Boolean()),
            voicemail: Type.Optional(Type.Boolean()),
            digits: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const { number, ...rest } = req.body;
      const address = normalizePhone('number', number, { allowSip: true });
      const behaviour = toBehaviour(rest);
      sim.endpoints.set(address, behaviour, (req as any).simCompany);
      return { endpoint: { number: address, ...rest } };
    },
  );

  app.post(
    '/sim/calls',
    {
      schema: {
        tags,
        summary: 'Place a call from a virtual caller',
        response: { 201: SimPlaced },
        body: Type.Object(
          { from: Type.String({ minLength: 1 }), to: Type.String({ minLength: 1 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const from = normalizePhone('from', req.body.from, { allowSip: true });
      const to = normalizePhone('to', req.body.to);
      const placed = await sim.placeCall(from, to);
      await engine.whenCallIdle(placed.callUuid);
      await visibleCall(req, placed.id);
      return reply.code(201).send({ id: placed.id, call_uuid: placed.callUuid });
    },
  );

  app.get(
    '/sim/calls/:id',
    {
      schema: {
        tags,
        summary: 'What the caller experiences now',
        params: IdParam,
        response: { 200: SimCall },
      },
    },
    async (req) => show(req, req.params.id),
  );

  app.post(
    '/sim/calls/:id/digits',
    { schema: { tags, params: IdParam, body: Digits, response: { 200: SimCall } } },
    async (req) => {
      const { legs } = await visibleCall(req, req.params.id);
      sim.pressDigits(legs[0].id, req.body.digits);
      return show(req, req.params.id);
    },
  );

  app.post(
    '/sim/calls/:id/hangup',
    { schema: { tags, params: IdParam, response: { 200: SimCall } } },
    async (req) => {
      const { legs } = await visibleCall(req, req.params.id);
      sim.hangupFromNetwork(legs[0].id);
      return show(req, req.params.id);
    },
  );

  app.post(
    '/sim/legs/:id/digits',
    { schema: { tags, params: IdParam, body: Digits, response: { 200: SimLeg } } },
    async (req) => {
      const leg = await visibleLeg(req, req.params.id);
      sim.pressDigits(leg.id, req.body.digits);
      await engine.whenIdle();
      return presentLeg(sim.leg(leg.id));
    },
  );

  app.post(
    '/sim/legs/:id/hangup',
    { schema: { tags, params: IdParam, response: { 200: SimLeg } } },
    async (req) => {
      const leg = await visibleLeg(req, req.params.id);
      sim.hangupFromNetwork(leg.id);
      await engine.whenIdle();
      return presentLeg(sim.leg(leg.id));
    },
  );

  app.post(
    '/sim/clock/advance',
    {
      schema: {
        tags,
        summary: 'Move the manual clock forward',
        response: { 200: SimClock },
        body: Type.Object(
          { seconds: Type.Number({ minimum: 0, maximum: 31_536_000 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      if (!(clock instanceof ManualClock))
        throw new RuleViolation('the clock is real time; start with SWITCHBOARD_CLOCK=manual');
      await engine.whenIdle();
      await clock.advance(req.body.seconds * 1000);
      return { now: new Date(clock.now()).toISOString(), kind: clock.kind };
    },
  );

  app.get(
    '/sim/clock',
    { schema: { tags, summary: 'The server clock', response: { 200: SimClock } } },
    async () => ({
      now: new Date(clock.now()).toISOString(),
      kind: clock.kind,
    }),
  );
}
