import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../../clock.js';
import { type CallControl, CallControlError, type KeyScope } from '../../../domain/call-control.js';
import type { Idempotency, RateLimiter } from '../../../live/live-state.js';
import { LocalIdempotency } from '../../../live/local/idempotency.js';
import type { CallControlKeyService } from '../../../services/call-control-keys.js';
import type { Db } from '../../../store/db.js';
import { registerBodyParsers } from '../body.js';
import { type CoreApp, RouteTable } from '../core/plugin.js';
import { negotiate } from '../format.js';
import { authorize } from './auth.js';
import { errorAnswer, genericFailure, sendAnswer } from './present.js';
import { callControlRoutes } from './routes.js';

export const CALL_CONTROL_PREFIX = '/call_control/v1';

export interface CallControlFaceDeps {
  keys: CallControlKeyService;
  /** The engine's side; injected so the face can be tested against a fake. */
  callControl: CallControl;
  db: Db;
  clock: Clock;
  rateLimiter?: RateLimiter;
  isMaintenance?: () => boolean;
  /** Answers remembered per Idempotency-Key (the live state's, shared by every node when it is). */
  idempotency?: Idempotency;
}

/**
 * The Retreaver Call Control API v1 (`/call_control/v1/*`): call-control keys, the seed's
 * `{"success": …}` answers in JSON or XML, and Idempotency-Key replays. Routes live in routes.ts.
 */
export async function callControlFace(app: CoreApp, deps: CallControlFaceDeps): Promise<void> {
  await app.register(
    async (cc) => {
      await conventions(cc as CoreApp, deps);
      await callControlRoutes(cc as CoreApp, {
        callControl: deps.callControl,
        db: deps.db,
        idempotency: deps.idempotency ?? new LocalIdempotency(deps.clock),
      });
    },
    { prefix: CALL_CONTROL_PREFIX },
  );
}

async function conventions(cc: CoreApp, deps: CallControlFaceDeps): Promise<void> {
  const routes = new RouteTable();
  cc.addHook('onRoute', (route) => routes.add(route.method, route.url));
  await registerBodyParsers(cc);
  cc.decorateRequest('format', 'json');
  cc.decorateRequest('ccScope', null as unknown as KeyScope);

  cc.addHook('onRequest', async (request, reply) => {
    const format = negotiate(request.raw);
    if (!format) return sendAnswer(reply, genericFailure(406));
    request.format = format;
    if (deps.isMaintenance?.()) return sendAnswer(reply, genericFailure(503));
  });

  // After body parsing (the key may come in the body), before validation (401/403 before 400).
  cc.addHook('preValidation', async (request, reply) => {
    if (request.is404) return; // the not-found handler runs this scope's hooks too
    if (request.method !== 'GET' && request.method !== 'DELETE') request.body ??= {};
    const auth = await authorize(request, deps.keys, deps.rateLimiter);
    if ('refuse' in auth) return sendAnswer(reply, auth.refuse);
    request.ccScope = auth.scope;
  });

  cc.setErrorHandler((err, request, reply) => {
    const answer = errorAnswer(err);
    if (answer.status >= 500) request.log.error({ err }, 'call control request failed');
    return sendAnswer(reply, answer);
  });

  cc.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    request.format = negotiate(request.raw) ?? 'json';
    const allowed = routes.methodsFor(request.url.split('?')[0]);
    if (allowed.length === 0) return sendAnswer(reply, genericFailure(404));
    reply.header('allow', [...new Set(allowed)].join(', '));
    return sendAnswer(reply, genericFailure(405));
  });
}

/** Stands in until the engine implements CallControl: every action finds no live call. */
export const noLiveCalls: CallControl = {
  transfer: async () => {
    throw new CallControlError('call not live');
  },
  conferenceCaller: async () => {
    throw new CallControlError('call not live');
  },
  stopTransfer: async () => {
    throw new CallControlError('call not live');
  },
  returnCall: async () => {
    throw new CallControlError('call not live');
  },
  acceptCall: async () => {
    throw new CallControlError('call not live');
  },
};

/** The engine's CallControl when it has one, else the stand-in. */
export function callControlOf(engine: unknown): CallControl {
  return (engine as { callControl?: CallControl } | undefined)?.callControl ?? noLiveCalls;
}
