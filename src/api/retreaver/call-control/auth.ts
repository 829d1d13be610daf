import type { FastifyRequest } from 'fastify';
import type { CallControlAction, KeyScope } from '../../../domain/call-control.js';
import type { RateLimiter } from '../../../live/live-state.js';
import type { CallControlKeyService } from '../../../services/call-control-keys.js';
import { type Answer, failure, genericFailure } from './present.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The call-control key's scope, set before validation on every Call Control route. */
    ccScope: KeyScope;
  }
  interface FastifyContextConfig {
    /** The action a Call Control route performs; the key must allow it. */
    ccAction?: CallControlAction;
  }
}

/**
 * The key a request carries: `api_key` in the query (the seed's way), in the body, or as a Bearer token
 * / `X-Api-Key` header (so keys stay out of access logs).
 */
export function presentedKey(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.api_key === 'string' && query.api_key) return query.api_key;
  const body = request.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && typeof body.api_key === 'string' && body.api_key)
    return body.api_key;
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || undefined;
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header ? header : undefined;
}

/**
 * Resolves the request's scope, or the answer refusing it: 401 for a missing, unknown or revoked key,
 * 403 for a live key whose actions do not include this route's. Both say "not authorized", as the seed's
 * error table does; the status tells a client whether a new key or wider rights would help.
 */
export async function authorize(
  request: FastifyRequest,
  keys: CallControlKeyService,
  rateLimiter?: RateLimiter,
): Promise<{ scope: KeyScope } | { refuse: Answer }> {
  const presented = presentedKey(request);
  if (presented === undefined) {
    const bearer = transferBearer(request);
    if (bearer) return await throttled(request, rateLimiter, bearer);
  }
  const scope = await keys.scopeOf(presented);
  if (!scope) return { refuse: failure(401, 'not authorized') };
  const wait = (await rateLimiter?.hit(`call_control:${scope.keyId}`)) ?? 0;
  if (wait > 0) return { refuse: { ...genericFailure(429), headers: { 'retry-after': String(wait) } } };
  const action = request.routeOptions.config.ccAction;
  if (!action || !scope.actions.includes(action)) return { refuse: failure(403, 'not authorized') };
  return { scope };
}

/** Actions on one transfer that its uuid alone may authorize (docs/compat.md "Call Control"). */
const TRANSFER_ACTIONS: readonly CallControlAction[] = ['conference_caller', 'stop_transfer'];

/**
 * The seed's curl for conferencing the caller and stopping a transfer sends no key, and their parameter
 * tables name only `transfer_uuid`: the uuid (random, known only to whoever started the transfer) is the
 * credential. The scope reaches that one transfer and nothing else; a wrong uuid is "transfer not found".
 */
function transferBearer(request: FastifyRequest): KeyScope | undefined {
  const action = request.routeOptions.config.ccAction;
  const uuid = (request.params as { uuid?: unknown } | undefined)?.uuid;
  if (!action || !TRANSFER_ACTIONS.includes(action) || typeof uuid !== 'string' || !uuid) return undefined;
  return {
    keyId: 0,
    companyId: 0,
    targetId: null,
    targetGroupId: null,
    targetIds: [],
    numbers: [],
    actions: [action],
    returnTimeoutSeconds: 0,
    transferUuid: uuid,
  };
}

/** Keyless requests are limited per client address (guessing uuids is slow) and logged. */
async function throttled(
  request: FastifyRequest,
  rateLimiter: RateLimiter | undefined,
  scope: KeyScope,
): Promise<{ scope: KeyScope } | { refuse: Answer }> {
  const wait = (await rateLimiter?.hit(`call_control:transfer_uuid:${request.ip}`)) ?? 0;
  request.log.info(
    { transfer_uuid: scope.transferUuid, action: scope.actions[0], ip: request.ip, throttled: wait > 0 },
    'call control by transfer uuid (no key)',
  );
  if (wait > 0) return { refuse: { ...genericFailure(429), headers: { 'retry-after': String(wait) } } };
  return { scope };
}

/** The scope an Idempotency-Key is remembered under: the key, or the transfer a keyless request named. */
export function idempotencyScope(scope: KeyScope): string {
  return scope.transferUuid ? `transfer:${scope.transferUuid}` : String(scope.keyId);
}
