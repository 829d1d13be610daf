/**
 * The two servers every HTTP benchmark compares: Switchboard itself, listening on a real socket on the
 * database the run asks for (BENCH_DB=postgres, or SQLite in a temp dir), and a bare Fastify that
 * answers recorded responses byte for byte — the ceiling for those bytes on this machine in this run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { type App, type AppOptions, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { dropSchema } from '../../src/store/db.js';

export type DbKind = 'sqlite' | 'postgres';

export function dbKind(): DbKind {
  return process.env.BENCH_DB === 'postgres' ? 'postgres' : 'sqlite';
}

export const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchServer {
  app: App;
  url: string;
  key: string;
  db: DbKind;
  /** The live state is on Redis (BENCH_REDIS=redis://…), under a prefix of its own. */
  redis: boolean;
  /** Core API request through inject() — for seeding, not for timing. */
  api(method: string, url: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

export async function startSwitchboard(
  opts: { env?: Record<string, string>; clock?: AppOptions['clock'] } = {},
): Promise<BenchServer> {
  const db = dbKind();
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-bench-'));
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const key = 'bench-key';
  const redisUrl = process.env.BENCH_REDIS;
  const prefix = `bench-${randomBytes(4).toString('hex')}:`;
  const app = await buildApp({
    config: loadConfig({
      DATA_DIR: dir,
      SWITCHBOARD_API_KEY: key,
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
      ...(db === 'postgres' ? { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema } : {}),
      ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: prefix } : {}),
      ...opts.env,
    }),
    clock: opts.clock,
    logger: false,
  });
  const url = await app.http.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    url,
    key,
    db,
    redis: !!redisUrl,
    async api(method, u, body) {
      const sep = u.includes('?') ? '&' : '?';
      const res = await app.http.inject({
        method: method as 'GET',
        url: `${u}${sep}api_key=${key}`,
        ...(body === undefined ? {} : { payload: body as object }),
      });
      if (res.statusCode >= 300) throw new Error(`${method} ${u}: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    async close() {
      await app.close();
      if (db === 'postgres') await dropSchema(PG_URL, schema);
      if (redisUrl) {
        const { Redis } = await import('ioredis');
        const r = new Redis(redisUrl);
        const keys = await r.keys(`${prefix}*`);
        if (keys.length) await r.del(...keys);
        r.disconnect();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Fetches `paths` from a running server once each, keeping status, content type, Link and body. */
export async function record(
  origin: string,
  paths: string[],
  init: RequestInit = {},
): Promise<Map<string, Recorded>> {
  const out = new Map<string, Recorded>();
  for (const p of paths) {
    const res = await fetch(origin + p, init);
    const headers: Record<string, string> = {};
    for (const h of ['content-type', 'link', 'x-total-count']) {
      const v = res.headers.get(h);
      if (v !== null) headers[h] = v;
    }
    out.set(p, { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) });
  }
  return out;
}

/** Bare Fastify answering each recorded path (query string included) with the same status, headers and bytes. */
export async function startReference(
  responses: Map<string, Recorded>,
  method: 'GET' | 'POST' = 'GET',
): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  const first = responses.values().next().value!;
  app.route({
    method,
    url: '*',
    handler: (req, reply) => {
      const r = responses.get(req.url) ?? first;
      return reply.code(r.status).headers(r.headers).send(r.body);
    },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}
