import { hostname } from 'node:os';
import path from 'node:path';
import { loadSipConfig, type SipConfig } from './telephony/sip/config.js';

/** Every environment variable Switchboard reads, parsed once (documented in README.md). */
export interface Config {
  /** Which telephony driver runs: the simulated network or real SIP (`SWITCHBOARD_TELEPHONY`). */
  telephony: 'sim' | 'sip';
  /** The sip driver's settings, when it runs. */
  sip: SipConfig | undefined;
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Schema to use inside PostgreSQL; tests give each app its own. */
  databaseSchema: string | undefined;
  apiKey: string | undefined;
  clock: 'system' | 'manual';
  logLevel: string;
  /** Requests slower than this are logged at `warn`; the rest at `debug`. */
  slowRequestMs: number;
  rateLimitPerMinute: number;
  /** Requests per postback key per minute: RTB pings, call reservations and Data Writing together. */
  postbackRateLimitPerMinute: number;
  bodyLimitBytes: number;
  maintenance: boolean;
  /** What a call costs per started minute (charge_total, total_cost). */
  callRatePerMinute: number;
  /** Hosts / CIDRs outbound deliveries may reach although private (the SSRF guard refuses them otherwise). */
  deliveryAllow: string[];
  deliveryTimeoutMs: number;
  /**
   * This process's name among those sharing the database (`NODE_ID`, default the host name, with the
   * pid when `REDIS_URL` is set): a restart
   * with the same name ends the calls and re-queues the deliveries the previous run left live.
   */
  nodeId: string;
  /** Redis shared by several nodes (`REDIS_URL`): the live state lives there instead of in process. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel (`REDIS_PREFIX`, default `sb:`): deployments sharing a Redis. */
  redisPrefix: string;
  /** Hard limit on one call's length: the engine ends a call still live after it (`MAX_CALL_SECONDS`). */
  maxCallSeconds: number;
  /** On SIGTERM/SIGINT, how long live calls may go on before they are ended (SHUTDOWN_DRAIN_SECONDS). */
  shutdownDrainSeconds: number;
}

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

function rate(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0.05;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    throw new ConfigError(`CALL_RATE_PER_MINUTE must be a non-negative number, got "${raw}"`);
  return n;
}

/**
 * With Redis (several nodes), host and pid: two processes on one host are two nodes, and a restarted
 * node is a new one whose predecessor's calls a survivor (or itself) ends once its lease expires. A
 * single node keeps the host name, so its restart ends the calls its previous run left live.
 */
function defaultNodeId(env: NodeJS.ProcessEnv): string {
  return env.REDIS_URL?.trim() ? `${hostname()}-${process.pid}` : hostname();
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const clock = env.SWITCHBOARD_CLOCK ?? 'system';
  if (clock !== 'system' && clock !== 'manual' && clock !== 'real') {
    throw new ConfigError(`SWITCHBOARD_CLOCK must be "real" or "manual", got "${clock}"`);
  }
  const telephony = env.SWITCHBOARD_TELEPHONY || 'sim';
  if (telephony !== 'sim' && telephony !== 'sip')
    throw new ConfigError(`SWITCHBOARD_TELEPHONY must be "sim" or "sip", got "${telephony}"`);
  let sip: SipConfig | undefined;
  try {
    sip = telephony === 'sip' ? loadSipConfig(env) : undefined;
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return {
    telephony,
    sip,
    port: int(env, 'PORT', 3000),
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.DATABASE_SCHEMA || undefined,
    apiKey: env.SWITCHBOARD_API_KEY || undefined,
    clock: clock === 'manual' ? 'manual' : 'system',
    logLevel: env.LOG_LEVEL ?? 'info',
    slowRequestMs: int(env, 'SLOW_REQUEST_MS', 1000),
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 1200),
    postbackRateLimitPerMinute: int(
      env,
      'POSTBACK_RATE_LIMIT_PER_MINUTE',
      int(env, 'RATE_LIMIT_PER_MINUTE', 1200),
    ),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 10 * 1024 * 1024),
    maintenance: env.SWITCHBOARD_MAINTENANCE === '1' || env.SWITCHBOARD_MAINTENANCE === 'true',
    callRatePerMinute: rate(env.CALL_RATE_PER_MINUTE),
    maxCallSeconds: int(env, 'MAX_CALL_SECONDS', 4 * 3600) || 4 * 3600,
    nodeId: env.NODE_ID?.trim() || defaultNodeId(env),
    redisUrl: env.REDIS_URL?.trim() || undefined,
    redisPrefix: env.REDIS_PREFIX?.trim() || 'sb:',
    deliveryAllow: (env.DELIVERY_ALLOW ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    deliveryTimeoutMs: int(env, 'DELIVERY_TIMEOUT_MS', 10_000),
    shutdownDrainSeconds: int(env, 'SHUTDOWN_DRAIN_SECONDS', 30),
  };
}
