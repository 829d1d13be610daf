import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import qs from 'qs';
import { RateLimited } from '../../domain/errors.js';
import type { RateLimiter } from '../../live/live-state.js';
import type { Services } from '../../services/index.js';
import type { Bearer } from '../../services/oauth.js';
import type { Person } from '../../services/users.js';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { type RcWireError, rcError, toRcError } from './errors.js';

/** Who a RingCentral-face request acts as: the signed-in extension and its account. */
export interface RcAuth {
  bearer: Bearer;
  person: Person;
}

declare module 'fastify' {
  interface FastifyRequest {
    rc: RcAuth;
  }
  interface FastifyContextConfig {
    /** Routes that authenticate themselves (the OAuth endpoints use the client's HTTP Basic). */
    rcPublic?: boolean;
  }
}

export interface RcFaceDeps {
  services: Pick<Services, 'oauth' | 'users'>;
  rateLimiter: RateLimiter;
  isMaintenance: () => boolean;
}

export function sendRcError(reply: FastifyReply, err: RcWireError) {
  for (const [k, v] of Object.entries(err.headers ?? {})) reply.header(k, v);
  return reply.code(err.status).type('application/json').send(JSON.stringify(err.body));
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (!auth) return undefined;
  const [scheme, token] = auth.trim().split(/\s+/, 2);
  return scheme?.toLowerCase() === 'bearer' && token ? token : '';
}

/**
 * The conventions of every `/restapi` route: JSON and form bodies, `Authorization: Bearer` (401 in
 * RingCentral's error shape), a per-token rate limit, and one error mapping (`errors.ts`).
 */
export async function rcConventions(app: CoreApp, deps: RcFaceDeps): Promise<void> {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // The SDK posts actions (hold, unhold, …) with a JSON content type and no body.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if ((body as string).trim() === '') return done(null, undefined);
    json(req, body as string, done);
  });
  await app.register(formbody, { parser: (str) => qs.parse(str, { depth: 2 }) });
  app.decorateRequest('rc', null as unknown as RcAuth);

  app.addHook('onRequest', async (request) => {
    if (deps.isMaintenance()) throw new MaintenanceError();
    if (request.routeOptions.config?.rcPublic) return;
    const bearer = await deps.services.oauth.bearer(bearerToken(request));
    const wait = await deps.rateLimiter.hit(`rc:${bearer.tokenId}`);
    if (wait > 0) throw new RateLimited(wait);
    const person = await deps.services.users.get(bearer.companyId, bearer.personId);
    request.rc = { bearer, person };
  });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof MaintenanceError) return sendRcError(reply, rcError(503, 'CMN-211', err.message));
    const wire = toRcError(err);
    if (wire.status >= 500) request.log.error({ err }, 'request failed');
    return sendRcError(reply, wire);
  });
  app.setNotFoundHandler((request, reply) =>
    sendRcError(
      reply,
      rcError(404, 'CMN-102', `Resource for parameter [${request.url.split('?')[0]}] is not found`),
    ),
  );
}

class MaintenanceError extends Error {
  constructor() {
    super('Service Temporary Unavailable');
  }
}

/** The base of `uri` fields, as the client addressed us. */
export function baseUri(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}/restapi/v1.0`;
}
