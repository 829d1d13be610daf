import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { Forbidden, RateLimited } from '../../../domain/errors.js';
import type { RateLimiter } from '../../../live/live-state.js';
import type { AccountService, Principal } from '../../../services/accounts.js';
import { registerBodyParsers, unwrapBody } from '../body.js';
import { toWireError, wireError } from '../errors.js';
import { negotiate, wantsCsv } from '../format.js';
import { sendError } from '../reply.js';

export type CoreApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface CoreAuth {
  principal: Principal;
  companyId: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    core: CoreAuth;
  }
  interface FastifyContextConfig {
    /** Resource key a body may be wrapped in (`{"affiliate": {...}}`). */
    wrap?: string;
    /** The route also answers CSV (`.csv` or `Accept: text/csv`); its errors are then sent as JSON. */
    csv?: boolean;
  }
}

export interface CoreFaceDeps {
  accounts: AccountService;
  rateLimiter: RateLimiter;
  isMaintenance: () => boolean;
}

/**
 * Conventions every Retreaver Core API route shares: format by extension/Accept (406), maintenance (503),
 * `api_key` + `company_id` (401/403), a per-key rate limit (429), Rails-style bodies, and one error shape.
 */
export async function coreConventions(app: CoreApp, deps: CoreFaceDeps): Promise<void> {
  await registerBodyParsers(app);
  app.decorateRequest('core', null as unknown as CoreAuth);
  app.decorateRequest('format', 'json');

  app.addHook('onRequest', async (request, reply) => {
    const csv = request.routeOptions.config.csv === true && wantsCsv(request.raw);
    const format = csv ? 'json' : negotiate(request.raw);
    if (!format) return sendError(reply, wireError(406, 'Not Acceptable: ask for JSON or XML'));
    request.format = format;
    if (deps.isMaintenance()) {
      return sendError(reply, wireError(503, 'Service Unavailable: temporarily offline for maintenance'));
    }
    const query = request.query as Record<string, string | undefined>;
    const apiKey = query.api_key ?? headerKey(request);
    const principal = await deps.accounts.authenticate(apiKey);
    const wait = await deps.rateLimiter.hit(
      principal.keyId === null ? `core:${principal.userId}` : `key:${principal.keyId}`,
    );
    if (wait > 0) throw new RateLimited(wait);
    assertMayWrite(principal, request.method);
    request.core = { principal, companyId: deps.accounts.resolveCompany(principal, query.company_id) };
  });

  app.addHook('preValidation', async (request) => {
    const wrap = request.routeOptions.config.wrap;
    if (wrap && request.method !== 'GET' && request.method !== 'DELETE') unwrapBody(request, wrap);
  });

  app.setErrorHandler((err, request, reply) => {
    const wire = toWireError(err);
    if (wire.status >= 500) request.log.error({ err }, 'request failed');
    return sendError(reply, wire);
  });
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A `read_only` key reads everything its company has and writes nothing, in every face taking Core keys. */
export function assertMayWrite(principal: Principal, method: string): void {
  if (principal.role === 'read_only' && !READS.has(method)) {
    throw new Forbidden('Forbidden: this API key is read-only');
  }
}

function headerKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const header = request.headers['x-api-key'];
  return typeof header === 'string' ? header : undefined;
}

/** Route patterns, so an unknown verb on a known path answers 405 rather than 404. */
export class RouteTable {
  private readonly routes: { method: string; re: RegExp }[] = [];

  add(method: string | string[], url: string): void {
    const re = new RegExp(
      `^${url.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')}/?$`,
    );
    for (const m of Array.isArray(method) ? method : [method]) this.routes.push({ method: m, re });
  }

  methodsFor(path: string): string[] {
    return this.routes.filter((r) => r.re.test(path)).map((r) => r.method);
  }
}

export function notFoundHandler(table: RouteTable) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    request.format = negotiate(request.raw) ?? 'json';
    const path = request.url.split('?')[0];
    const allowed = table.methodsFor(path);
    if (allowed.length > 0) {
      reply.header('allow', [...new Set(allowed)].join(', '));
      return sendError(reply, wireError(405, `Method Not Allowed: ${request.method} is not supported here`));
    }
    return sendError(reply, wireError(404, 'Not Found'));
  };
}
