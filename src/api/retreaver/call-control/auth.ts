import type { FastifyRequest } from 'fastify';
import type { CallControlAction, KeyScope } from '../../../domain/call-control.js';
import type { RateLimiter } from '../../../live/rate-limiter.js';
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
  const scope = await keys.scopeOf(presentedKey(request));
  if (!scope) return { refuse: failure(401, 'not authorized') };
  const wait = rateLimiter?.hit(`call_control:${scope.keyId}`) ?? 0;
  if (wait > 0) return { refuse: { ...genericFailure(429), headers: { 'retry-after': String(wait) } } };
  const action = request.routeOptions.config.ccAction;
  if (!action || !scope.actions.includes(action)) return { refuse: failure(403, 'not authorized') };
  return { scope };
}
