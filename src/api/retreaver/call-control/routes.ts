import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type CallControl, CallControlError } from '../../../domain/call-control.js';
import { ValidationFailed } from '../../../domain/errors.js';
import { normalizePhone } from '../../../domain/phone.js';
import type { Idempotency } from '../../../live/live-state.js';
import { activeCalls } from '../../../services/active-calls.js';
import type { Db } from '../../../store/db.js';
import type { CoreApp } from '../core/plugin.js';
import { idempotencyScope } from './auth.js';
import { type Answer, errorAnswer, failure, ok, presentActiveCall, sendAnswer } from './present.js';
import { ActiveCalls, Succeeded, TransferStarted } from './responses.js';

export interface CallControlRouteDeps {
  callControl: CallControl;
  db: Db;
  idempotency: Idempotency;
}

const ApiKey = Type.Optional(Type.String({ maxLength: 255 }));
const Uuid = (name: string) =>
  Type.Object({ uuid: Type.String({ minLength: 1, maxLength: 100, description: name }) });
/** Bodies of the actions that take no parameters: anything (or nothing) is accepted. */
const AnyBody = Type.Object({ api_key: ApiKey }, { additionalProperties: true });
const KeyQuery = Type.Object({ api_key: ApiKey }, { additionalProperties: true });
const ActiveCallsQuery = Type.Object(
  { api_key: ApiKey, caller_number: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: true },
);
const TransferBody = Type.Object(
  {
    api_key: ApiKey,
    hold_caller: Type.Optional(Type.Boolean({ default: false })),
    transfer_to: Type.String({ maxLength: 255 }),
  },
  { additionalProperties: false },
);
const IdempotencyHeader = Type.Object(
  {
    'idempotency-key': Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' }),
    ),
  },
  { additionalProperties: true },
);

const tags = ['Call Control'];
const IDEMPOTENT = ' An `Idempotency-Key` header makes a retry within 60 s answer the first response again.';

export async function callControlRoutes(app: CoreApp, deps: CallControlRouteDeps): Promise<void> {
  const { callControl } = deps;
  const act = (req: FastifyRequest, reply: FastifyReply, run: () => Promise<Answer>) =>
    answerOnce(deps, req, reply, run);

  app.get(
    '/active_calls',
    {
      config: { ccAction: 'active_calls' },
      schema: {
        tags,
        summary: 'List Active Calls',
        description:
          "In-progress calls routed (or transferred) to the key's Contact Handler or Group, newest dial-out first.",
        querystring: ActiveCallsQuery,
        response: { 200: ActiveCalls },
      },
    },
    async (req, reply) => {
      const raw = req.query.caller_number?.trim();
      const caller = raw ? normalizePhone('caller_number', raw, { allowSip: true }) : undefined;
      const calls = await activeCalls(deps.db, req.ccScope, caller);
      return sendAnswer(reply, ok({ results: calls.map(presentActiveCall) }));
    },
  );

  app.post(
    '/calls/:uuid/transfer',
    {
      config: { ccAction: 'transfer' },
      schema: {
        tags,
        summary: 'Transfer a Call',
        description: `hold_caller true: the caller is held and the transferee dialed (unattended); otherwise all three are conferenced at once (attended).${IDEMPOTENT}`,
        params: Uuid('call uuid'),
        body: TransferBody,
        querystring: KeyQuery,
        headers: IdempotencyHeader,
        response: { 200: TransferStarted },
      },
    },
    async (req, reply) =>
      act(req, reply, async () => {
        const transferTo = dialable(req.body.transfer_to);
        const holdCaller = req.body.hold_caller === true;
        const { transferUuid } = await callControl.transfer(req.params.uuid, req.ccScope, {
          holdCaller,
          transferTo,
        });
        return ok({ transfer_uuid: transferUuid });
      }),
  );

  app.post(
    '/transfers/:uuid/conference_caller',
    {
      config: { ccAction: 'conference_caller' },
      schema: {
        tags,
        summary: 'Connect the Caller (unattended transfer)',
        description: `Bridges the held caller into the transfer.${IDEMPOTENT}`,
        params: Uuid('transfer uuid'),
        body: Type.Optional(AnyBody),
        querystring: KeyQuery,
        headers: IdempotencyHeader,
        response: { 200: Succeeded },
      },
    },
    async (req, reply) =>
      act(req, reply, async () => {
        await callControl.conferenceCaller(req.params.uuid, req.ccScope);
        return ok();
      }),
  );

  app.delete(
    '/transfers/:uuid',
    {
      config: { ccAction: 'stop_transfer' },
      schema: {
        tags,
        summary: 'Stop the Transfer',
        description: `Hangs up the outbound leg to the transferee.${IDEMPOTENT}`,
        params: Uuid('transfer uuid'),
        querystring: KeyQuery,
        headers: IdempotencyHeader,
        response: { 200: Succeeded },
      },
    },
    async (req, reply) =>
      act(req, reply, async () => {
        await callControl.stopTransfer(req.params.uuid, req.ccScope);
        return ok();
      }),
  );

  const liveCall = [
    {
      path: 'return',
      action: 'return',
      summary: 'Return a Call (Live Call Return)',
      description:
        "Hands a call the handler picked up back to routing, which dials the next handler. Only within the key's return_timeout_seconds of the transfer to the handler.",
      run: (uuid: string, req: FastifyRequest) => callControl.returnCall(uuid, req.ccScope),
    },
    {
      path: 'accept',
      action: 'accept',
      summary: 'Accept a Call (Live Call Acceptance)',
      description:
        'For handlers in live_call_mode "acceptance": the call counts as accepted only once this is requested.',
      run: (uuid: string, req: FastifyRequest) => callControl.acceptCall(uuid, req.ccScope),
    },
  ] as const;
  for (const { path, action, summary, description, run } of liveCall) {
    app.post(
      `/calls/:uuid/${path}`,
      {
        config: { ccAction: action },
        schema: {
          tags,
          summary,
          description: description + IDEMPOTENT,
          params: Uuid('call uuid'),
          body: Type.Optional(AnyBody),
          querystring: KeyQuery,
          headers: IdempotencyHeader,
          response: { 200: Succeeded },
        },
      },
      async (req, reply) =>
        act(req, reply, async () => {
          await run(req.params.uuid, req);
          return ok();
        }),
    );
  }
}

/** The number or SIP URI to dial; anything else is the seed's "cannot dial transfer_to number". */
function dialable(raw: string): string {
  if (!raw.trim()) throw ValidationFailed.field('transfer_to', "can't be blank");
  try {
    return normalizePhone('transfer_to', raw, { allowSip: true });
  } catch (err) {
    if (!(err instanceof ValidationFailed)) throw err;
    throw Object.assign(new CallControlError('cannot dial transfer_to number'), { errors: err.errors });
  }
}

/**
 * Runs an action once per Idempotency-Key (scoped to the call-control key): a repeat within the window
 * gets the first answer, status and body, and the engine is not asked again.
 */
async function answerOnce(
  deps: CallControlRouteDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  run: () => Promise<Answer>,
) {
  const compute = () =>
    run().catch((err) => {
      const answer = withFieldErrors(err);
      if (answer.status >= 500) req.log.error({ err }, 'call control action failed');
      return answer;
    });
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string') return sendAnswer(reply, await compute());
  const fingerprint = `${req.method} ${req.url.split('?')[0]}`;
  const result = await deps.idempotency.run<Answer>(
    `${idempotencyScope(req.ccScope)}:${key}`,
    fingerprint,
    compute,
    (a) => a.status < 500,
  );
  if (result.kind === 'mismatch') {
    return sendAnswer(reply, failure(409, 'Idempotency-Key was already used for another request'));
  }
  if (result.kind === 'replay') reply.header('idempotent-replayed', 'true');
  return sendAnswer(reply, result.answer);
}

/** The error as an answer; a refused transfer_to also names the field. */
function withFieldErrors(err: unknown): Answer {
  const answer = errorAnswer(err);
  const errors = (err as { errors?: unknown }).errors;
  if (err instanceof CallControlError && errors) answer.body.errors = errors;
  return answer;
}
