/**
 * Delivery: every outbound HTTP request (timer pixels, webhooks, later subscription notifications) goes
 * through one durable outbox (DESIGN.md §1). `createDelivery` wires the pieces with defaults; the app owns
 * start()/close() of the worker.
 */

import { PostgresAdapter } from 'kysely';
import type { Clock } from '../clock.js';
import { type Logger, silentLogger } from '../logger.js';
import type { Db } from '../store/db.js';
import { Outbox } from './outbox.js';
import { type Resolver, SsrfGuard } from './ssrf.js';
import { DeliveryWorker } from './worker.js';

export interface DeliveryConfig {
  /** How often the worker looks for due rows besides being kicked (ms). Default 250. */
  pollMs?: number;
  /** Time allowed for one attempt, redirects included (ms). Default 10,000. */
  timeoutMs?: number;
  /** Redirects followed per attempt (http/https only). Default 5. */
  maxRedirects?: number;
  /** Requests in flight per host name. Default 4. */
  perHostConcurrency?: number;
  /** Requests in flight for this worker in all. Default 64. */
  maxInFlight?: number;
  /** Attempts per URL (primary, then fallback) unless the item says otherwise. Default 8. */
  maxAttempts?: number;
  /** Backoff: full jitter in [0, min(cap, base·2^(n-1))). Defaults 2,000 ms and 600,000 ms. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Host names (`.example.com` for subdomains too) and IPs/CIDRs the SSRF guard lets through. Default none. */
  allow?: string[];
  /** Resolves host names for the SSRF guard and the sockets. Default dns.promises.lookup (all addresses). */
  resolver?: Resolver;
  /** How long a host's checked addresses are reused (ms). Default 30,000. */
  dnsCacheMs?: number;
  userAgent?: string;
  /** This process among those sharing the database (NODE_ID): it owns the rows it puts on the wire. */
  owner?: string;
}

export interface DeliveryDeps {
  db: Db;
  clock: Clock;
  /** Source of jitter; tests pin it. Default Math.random. */
  random?: () => number;
  config?: DeliveryConfig;
  logger?: Logger;
}

export function createDelivery(deps: DeliveryDeps): {
  outbox: Outbox;
  worker: DeliveryWorker;
  guard: SsrfGuard;
} {
  const c = deps.config ?? {};
  const guard = new SsrfGuard({
    allow: c.allow,
    resolver: c.resolver,
    clock: deps.clock,
    cacheMs: c.dnsCacheMs,
  });
  const worker = new DeliveryWorker({
    db: deps.db,
    clock: deps.clock,
    random: deps.random ?? Math.random,
    guard,
    pollMs: c.pollMs ?? 250,
    timeoutMs: c.timeoutMs ?? 10_000,
    maxRedirects: c.maxRedirects ?? 5,
    perHostConcurrency: c.perHostConcurrency ?? 4,
    maxInFlight: c.maxInFlight ?? 64,
    backoffBaseMs: c.backoffBaseMs ?? 2_000,
    backoffCapMs: c.backoffCapMs ?? 600_000,
    userAgent: c.userAgent ?? 'Switchboard-Delivery/1',
    owner: c.owner ?? 'local',
    logger: deps.logger ?? silentLogger,
    dialect: deps.db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite',
  });
  const outbox = new Outbox({
    db: deps.db,
    clock: deps.clock,
    maxAttempts: c.maxAttempts ?? 8,
    kick: (host) => (host === undefined ? worker.kick() : worker.kickHost(host)),
  });
  return { outbox, worker, guard };
}

export { backoffDelay } from './backoff.js';
export { type DeliveryItem, type Enqueued, Outbox } from './outbox.js';
export { rotateWebhookSecret, signWebhook, verifyWebhook, webhookSecret } from './signing.js';
export { type Resolver, SSRF_BLOCKED, SsrfGuard } from './ssrf.js';
export { DeliveryWorker } from './worker.js';
