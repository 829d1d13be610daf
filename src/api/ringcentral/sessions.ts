import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { NotFound, ValidationFailed } from '../../domain/errors.js';
import {
  type PartyAction,
  type PartyControl,
  type PartyRef,
  partyActionAllowed,
} from '../../domain/party-control.js';
import { normalizePhone } from '../../domain/phone.js';
import type { Services } from '../../services/index.js';
import type { LegRow, SessionView, TelephonySessionService } from '../../services/telephony-sessions.js';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { accountOf } from './account.js';
import { FeatureUnavailable, PartyStateError } from './errors.js';
import { presentParty, presentSession } from './present.js';
import { CallParty, CallSession, NoContent, Recording, Unavailable } from './responses.js';

const SessionParams = Type.Object({
  accountId: Type.String({ maxLength: 64 }),
  sessionId: Type.String({ maxLength: 128 }),
});
const PartyParams = Type.Object({
  accountId: Type.String({ maxLength: 64 }),
  sessionId: Type.String({ maxLength: 128 }),
  partyId: Type.String({ maxLength: 128 }),
});
const RecordingParams = Type.Object({
  accountId: Type.String({ maxLength: 64 }),
  sessionId: Type.String({ maxLength: 128 }),
  partyId: Type.String({ maxLength: 128 }),
  recordingId: Type.String({ maxLength: 128 }),
});
const Obj = (props: Parameters<typeof Type.Object>[0]) =>
  Type.Optional(Type.Object(props, { additionalProperties: true }));
const TransferBody = Obj({
  phoneNumber: Type.Optional(Type.String({ maxLength: 64 })),
  extensionNumber: Type.Optional(Type.String({ maxLength: 32 })),
  voicemail: Type.Optional(Type.String({ maxLength: 64 })),
  parkOrbit: Type.Optional(Type.String({ maxLength: 64 })),
});
const MutedBody = Obj({ muted: Type.Optional(Type.Boolean()) });
const ForwardBody = Obj({
  phoneNumber: Type.Optional(Type.String({ maxLength: 64 })),
  extensionNumber: Type.Optional(Type.String({ maxLength: 32 })),
  extensionId: Type.Optional(Type.String({ maxLength: 32 })),
  voicemail: Type.Optional(Type.String({ maxLength: 64 })),
});
const AnswerBody = Type.Object(
  { deviceId: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: true },
);
const ActiveBody = Obj({ active: Type.Optional(Type.Boolean()) });

const UUIDISH = /^[A-Za-z0-9-]{1,128}$/;

export interface SessionRouteDeps {
  services: Pick<Services, 'users' | 'telephonySessions'>;
  parties: PartyControl;
  /** Resolves once the call's script waits for the network again: an action's effects are recorded. */
  settled: (callUuid: string) => Promise<void>;
}

interface PartyCtx {
  view: SessionView;
  leg: LegRow;
  ref: PartyRef;
}

async function loadSession(
  sessions: TelephonySessionService,
  req: FastifyRequest,
  p: { accountId: string; sessionId: string },
) {
  const companyId = accountOf(req, p.accountId);
  if (!UUIDISH.test(p.sessionId)) throw new NotFound('telephonySessionId');
  return sessions.get(companyId, p.sessionId);
}

async function loadParty(
  sessions: TelephonySessionService,
  req: FastifyRequest,
  p: { accountId: string; sessionId: string; partyId: string },
): Promise<PartyCtx> {
  const view = await loadSession(sessions, req, p);
  const leg = view.legs.find((l) => l.id === p.partyId);
  if (!leg) throw new NotFound('partyId');
  const ref: PartyRef = {
    companyId: view.call.company_id,
    callUuid: view.call.uuid,
    legId: leg.id,
    direction: leg.direction === 'inbound' ? 'inbound' : 'outbound',
    to: leg.to_number,
  };
  return { view, leg, ref };
}

function allow(ctx: PartyCtx, action: PartyAction): void {
  if (partyActionAllowed(action, ctx.leg.status)) return;
  const gone = ['ended', 'busy', 'no-answer', 'rejected', 'cancelled', 'failed'].includes(ctx.leg.status);
  throw new PartyStateError(
    gone
      ? `Party [${ctx.leg.id}] is gone: the ${action} action needs a live party`
      : `Party [${ctx.leg.id}] is in a state where ${action} is not allowed`,
  );
}

const tags = ['RingCentral telephony sessions'];
const base = '/v1.0/account/:accountId/telephony/sessions/:sessionId';

/** Sessions and parties on the engine's calls (docs/compat.md "RingCentral face"). */
/** Party actions whose answer is not 200 with the party. */
const ANSWERS: Record<string, Record<number, unknown>> = {
  reject: { 204: NoContent },
  ignore: { 204: NoContent },
  recordings: { 201: Recording },
  park: { 201: CallParty },
  pickup: { 201: CallParty },
  hold: { 200: CallParty },
  unhold: { 200: CallParty },
  transfer: { 200: CallParty },
  forward: { 200: CallParty },
  answer: { 200: CallParty },
  reply: { 200: Unavailable },
  bridge: { 200: Unavailable },
  flip: { 200: Unavailable },
  supervise: { 201: Unavailable },
};

export async function sessionRoutes(app: CoreApp, deps: SessionRouteDeps) {
  const sessions = deps.services.telephonySessions;
  const { parties } = deps;
  const fresh = async (req: FastifyRequest, ctx: PartyCtx) => {
    const again = await loadParty(sessions, req, { ...(req.params as any) });
    return presentParty(again.view, again.leg, sessions.flagsOf(ctx.leg.id));
  };

  app.get(
    base,
    {
      schema: {
        tags,
        summary: 'Get call session status',
        params: SessionParams,
        response: { 200: CallSession },
      },
    },
    async (req) => presentSession(await loadSession(sessions, req, req.params), (id) => sessions.flagsOf(id)),
  );

  app.delete(
    base,
    { schema: { tags, summary: 'Drop call session', params: SessionParams, response: { 204: NoContent } } },
    async (req, reply) => {
      const view = await loadSession(sessions, req, req.params);
      if (view.origin.type !== 'Call') {
        // A placed call may have no caller yet (its first phone still rings): the whole call ends.
        if (view.call.status !== 'in-progress')
          throw new PartyStateError(`Session [${view.call.uuid}] is already over`);
        await parties.end(view.call.company_id, view.call.uuid, 'session dropped');
        return reply.code(204).send();
      }
      const caller = view.legs.find((l) => l.direction === 'inbound');
      if (!caller || !partyActionAllowed('drop', caller.status))
        throw new PartyStateError(`Session [${view.call.uuid}] is already over`);
      await parties.drop({
        companyId: view.call.company_id,
        callUuid: view.call.uuid,
        legId: caller.id,
        direction: 'inbound',
        to: caller.to_number,
      });
      return reply.code(204).send();
    },
  );

  app.get(
    `${base}/parties/:partyId`,
    { schema: { tags, summary: 'Get call party status', params: PartyParams, response: { 200: CallParty } } },
    async (req) => {
      const ctx = await loadParty(sessions, req, req.params);
      return presentParty(ctx.view, ctx.leg, sessions.flagsOf(ctx.leg.id));
    },
  );

  app.patch(
    `${base}/parties/:partyId`,
    {
      schema: {
        tags,
        summary: 'Update call party (mute)',
        params: PartyParams,
        body: MutedBody,
        response: { 200: CallParty },
      },
    },
    async (req) => {
      const ctx = await loadParty(sessions, req, req.params);
      const muted = (req.body as { muted?: boolean } | undefined)?.muted;
      if (muted === undefined) return presentParty(ctx.view, ctx.leg, sessions.flagsOf(ctx.leg.id));
      allow(ctx, 'mute');
      await parties.mute(ctx.ref, muted);
      sessions.setFlags(ctx.leg.id, { ...sessions.flagsOf(ctx.leg.id), muted });
      return fresh(req, ctx);
    },
  );

  app.delete(
    `${base}/parties/:partyId`,
    { schema: { tags, summary: 'Delete call party', params: PartyParams, response: { 204: NoContent } } },
    async (req, reply) => {
      const ctx = await loadParty(sessions, req, req.params);
      allow(ctx, 'drop');
      await parties.drop(ctx.ref);
      return reply.code(204).send();
    },
  );

  const action = (
    name: string,
    summary: string,
    run: (req: FastifyRequest, reply: FastifyReply, ctx: PartyCtx) => Promise<unknown>,
    body?: ReturnType<typeof Obj>,
  ) =>
    app.post(
      `${base}/parties/:partyId/${name}`,
      {
        schema: {
          tags,
          summary,
          params: PartyParams,
          ...(body ? { body } : {}),
          ...(ANSWERS[name] ? { response: ANSWERS[name] } : {}),
        },
      },
      async (req, reply) => run(req, reply, await loadParty(sessions, req, req.params)),
    );

  action('hold', 'Hold call party', async (req, _reply, ctx) => {
    allow(ctx, 'hold');
    await parties.hold(ctx.ref);
    return fresh(req, ctx);
  });

  action('unhold', 'Unhold call party', async (req, _reply, ctx) => {
    allow(ctx, 'unhold');
    await parties.unhold(ctx.ref);
    return fresh(req, ctx);
  });

  action('reject', 'Reject call party', async (_req, reply, ctx) => {
    allow(ctx, 'reject');
    await parties.reject(ctx.ref);
    return reply.code(204).send();
  });

  action('ignore', 'Ignore call party', async (_req, reply, ctx) => {
    allow(ctx, 'ignore');
    await parties.reject(ctx.ref);
    return reply.code(204).send();
  });

  action(
    'transfer',
    'Transfer call party',
    async (req, _reply, ctx) => {
      const to = await transferTarget(
        deps.services.users,
        ctx.view.call.company_id,
        req.body as Record<string, unknown> | undefined,
      );
      allow(ctx, 'transfer');
      await parties.transfer(ctx.ref, to);
      return fresh(req, ctx);
    },
    TransferBody,
  );

  action(
    'forward',
    'Forward call party',
    async (req, _reply, ctx) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const to = await forwardTarget(deps.services.users, ctx.view.call.company_id, body);
      allow(ctx, 'forward');
      await parties.forward(ctx.ref, to);
      await deps.settled(ctx.ref.callUuid);
      return fresh(req, ctx);
    },
    ForwardBody,
  );

  action(
    'answer',
    'Answer call party',
    async (req, _reply, ctx) => {
      const me = req.rc.person;
      if ((req.body as { deviceId: string }).deviceId !== String(me.id) || !me.phone_number)
        throw new NotFound('deviceId');
      allow(ctx, 'answer');
      // Each user here has one device: a party is answered on the phone it rings.
      if (ctx.leg.to_number !== me.phone_number)
        throw new FeatureUnavailable(
          'Answering on another phone than the one ringing is not available: each user has one device',
        );
      await parties.answer(ctx.ref);
      await deps.settled(ctx.ref.callUuid);
      return fresh(req, ctx);
    },
    AnswerBody as unknown as ReturnType<typeof Obj>,
  );

  action('recordings', 'Create recording', async (_req, reply, ctx) => {
    allow(ctx, 'record');
    const flags = sessions.flagsOf(ctx.leg.id);
    if (flags.recordings.some((r) => r.active)) throw new PartyStateError('Recording is already in progress');
    await parties.record(ctx.ref.companyId, ctx.ref.callUuid, flags.recordings.length ? 'resume' : 'start');
    const rec = { id: randomUUID(), active: true };
    sessions.setFlags(ctx.leg.id, { ...flags, recordings: [...flags.recordings, rec] });
    return reply.code(201).send(rec);
  });

  action('park', 'Call park', async (req, reply, ctx) => {
    allow(ctx, 'park');
    await parties.park(ctx.ref);
    return reply.code(201).send(await fresh(req, ctx));
  });

  action('pickup', 'Pickup call', async (req, reply, ctx) => {
    allow(ctx, 'pickup');
    await parties.unhold(ctx.ref);
    return reply.code(201).send(await fresh(req, ctx));
  });

  // Documented actions the simulated network cannot carry out: the state rule first (so a wrong-state
  // request gets the same 409 as anywhere), then 403 FeatureNotAvailable naming what is missing.
  const unavailable: [string, PartyAction | null, string][] = [
    [
      'reply',
      'forward',
      'Reply needs text-to-speech to the ringing caller, which the simulated network lacks',
    ],
    ['bridge', 'transfer', 'Bridging two sessions is not available on the simulated network'],
    ['flip', 'transfer', 'Call flip needs call flip numbers, which users here do not have'],
    ['supervise', 'transfer', 'Supervising needs a supervisor device on the simulated network'],
  ];
  for (const [name, rule, message] of unavailable) {
    action(name, `${name} (not available on the simulated network)`, async (_req, _reply, ctx) => {
      if (rule) allow(ctx, rule);
      throw new FeatureUnavailable(message);
    });
  }
  const sessionOnly = (method: 'post', path: string, summary: string, message: string) =>
    app[method](
      path,
      { schema: { tags, summary, params: SessionParams, response: { 201: Unavailable } } },
      async (req) => {
        await loadSession(sessions, req, req.params);
        throw new FeatureUnavailable(message);
      },
    );
  sessionOnly(
    'post',
    `${base}/supervise`,
    'Supervise call session (not available)',
    'Supervising needs a supervisor device on the simulated network',
  );
  sessionOnly(
    'post',
    `${base}/parties/bring-in`,
    'Bring in call party (not available)',
    'Conferences are not available on the simulated network',
  );
  app.patch(
    `${base}/parties/:partyId/recordings/:recordingId`,
    {
      schema: {
        tags,
        summary: 'Pause/resume recording',
        params: RecordingParams,
        body: ActiveBody,
        response: { 200: Recording },
      },
    },
    async (req) => {
      const ctx = await loadParty(sessions, req, req.params);
      const flags = sessions.flagsOf(ctx.leg.id);
      const rec = flags.recordings.find((r) => r.id === req.params.recordingId);
      if (!rec) throw new NotFound('recordingId');
      const active = (req.body as { active?: boolean } | undefined)?.active;
      if (active === undefined) throw ValidationFailed.field('active', 'is required');
      allow(ctx, 'record');
      if (rec.active !== active)
        await parties.record(ctx.ref.companyId, ctx.ref.callUuid, active ? 'resume' : 'pause');
      const next = { ...rec, active };
      sessions.setFlags(ctx.leg.id, {
        ...flags,
        recordings: flags.recordings.map((r) => (r.id === rec.id ? next : r)),
      });
      return next;
    },
  );
}

/** Where a forward goes: a phone number, or an extension of the account by number or id. */
async function forwardTarget(
  users: Services['users'],
  companyId: number,
  b: Record<string, unknown>,
): Promise<string> {
  if (typeof b.extensionId === 'string' && b.extensionId && !b.phoneNumber && !b.extensionNumber) {
    const id = /^[0-9]{1,10}$/.test(b.extensionId) ? Number(b.extensionId) : 0;
    const person = id ? await users.get(companyId, id).catch(() => undefined) : undefined;
    if (!person?.phone_number)
      throw ValidationFailed.field('extensionId', 'is not an extension with a phone');
    return person.phone_number;
  }
  if (b.voicemail !== undefined && !b.phoneNumber && !b.extensionNumber)
    throw new FeatureUnavailable(
      'Forward to voicemail is not available: the simulated network has no mailboxes',
    );
  return transferTarget(users, companyId, b);
}

/** Where a transfer goes: a phone number, or an extension of the account (its person's phone). */
async function transferTarget(
  users: Services['users'],
  companyId: number,
  body: Record<string, unknown> | undefined,
): Promise<string> {
  const b = body ?? {};
  if (typeof b.phoneNumber === 'string' && b.phoneNumber)
    return normalizePhone('phoneNumber', b.phoneNumber, { allowSip: true });
  if (typeof b.extensionNumber === 'string' && b.extensionNumber) {
    const person = await users.byExtension(companyId, b.extensionNumber);
    if (!person?.phone_number)
      throw ValidationFailed.field('extensionNumber', 'is not an extension with a phone');
    return person.phone_number;
  }
  if (b.voicemail !== undefined || b.parkOrbit !== undefined)
    throw new FeatureUnavailable(
      'Transfer to voicemail or a park orbit is not available: the simulated network has no mailboxes or park orbits',
    );
  throw ValidationFailed.field('phoneNumber', 'is required (or extensionNumber)');
}
