import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimited } from '../../domain/errors.js';
import type { RateLimiter } from '../../live/live-state.js';
import type { CcaiKeyService } from '../../services/ccai-keys.js';
import type { CoreApp, RouteTable } from '../retreaver/core/plugin.js';
import { sendCcaiError, toCcaiError } from './errors.js';

/** Who a CCAI-face request acts as: the company of its key. */
export interface CcaiAuth {
  companyId: number;
  keyId: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    ccai: CcaiAuth;
  }
}

export interface CcaiConventionDeps {
  keys: CcaiKeyService;
  rateLimiter: RateLimiter;
  isMaintenance: () => boolean;
}

/** `Authorization: Basic base64(key:secret)`, as CCAI Platform's company credentials are sent. */
export function basicCredentials(request: FastifyRequest): { key?: string; secret?: string } {
  const auth = request.headers.authorization?.trim();
  if (!auth) return {};
  const [scheme, token] = auth.split(/\s+/, 2);
  if (scheme?.toLowerCase() !== 'basic' || !token) return {};
  const text = Buffer.from(token, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return {};
  return { key: text.slice(0, colon), secret: text.slice(colon + 1) };
}

/**
 * The conventions of every `/apps/api/v1` and `/manager/api/v1` route: HTTP Basic with a CCAI key,
 * CCAI's per-key limit of requests per second, and every error as `{"message": …}` (errors.ts).
 */
export async function ccaiConventions(app: CoreApp, deps: CcaiConventionDeps): Promise<void> {
  app.decorateRequest('ccai', null as unknown as CcaiAuth);
  app.addHook('onRequest', async (request) => {
    if (deps.isMaintenance()) throw Object.assign(new Error('Service Unavailable'), { statusCode: 503 });
    const { key, secret } = basicCredentials(request);
    request.ccai = await deps.keys.authenticate(key, secret);
    const wait = await deps.rateLimiter.hit(`ccai:${request.ccai.keyId}`);
    if (wait > 0) throw new RateLimited(wait);
  });
  app.setErrorHandler((err, request, reply) => {
    const wire = toCcaiError(err);
    if (wire.status >= 500 && wire.status !== 503) request.log.error({ err }, 'request failed');
    return sendCcaiError(reply, wire);
  });
}

/** A list as CCAI answers it: a bare array, its total in `X-Total-Count`. */
export function sendList<T>(
  reply: FastifyReply,
  page: { rows: T[]; total: number },
  present: (row: T) => unknown,
) {
  reply.header('x-total-count', String(page.total));
  return reply.send(page.rows.map(present));
}

/** The paths this face answers under: a request no route matches there still answers in its shape. */
const PREFIXES = ['/apps/', '/manager/'];

export function isCcaiPath(url: string): boolean {
  const path = url.split('?')[0];
  return PREFIXES.some((p) => path.startsWith(p) || path === p.slice(0, -1));
}

/** Unknown path → 404, known path with another method → 405 with `Allow`, both as `{"message": …}`. */
export function ccaiNotFound(table: RouteTable) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const allowed = table.methodsFor(request.url.split('?')[0]);
    if (!allowed.length)
      return sendCcaiError(reply, { status: 404, body: { message: 'Resource not found' } });
    reply.header('allow', [...new Set(allowed)].join(', '));
    return sendCcaiError(reply, {
      status: 405,
      body: { message: `Method ${request.method} is not allowed here` },
    });
  };
}
