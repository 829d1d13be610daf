/**
 * Scale across nodes: `npm run bench -- scale` (PostgreSQL: DATABASE_URL or the local test database;
 * Redis: REDIS_URL / TEST_REDIS_URL or the local one).
 *
 * For 1, 2 and 3 nodes — each a process of its own on one database schema and one Redis prefix
 * (bench/scale/node.ts) — a load client per node sends, closed loop with 16 requests in flight per node:
 * RTB pings (`POST /rtbs.json`, 50 targets, a new caller each ping), then sim call set-ups
 * (`POST /sim/calls`, answered once the call rings its target; the target hangs up after a second).
 * Prints pings/s and set-ups/s with their p99 per node count. On one machine the nodes share its cores
 * with the database, Redis and the load clients: the figures show the cost of sharing the live state
 * (Redis round trips, forwarded work) more than the gain of more machines. No pass/fail target.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { dropSchema } from '../../src/store/db.js';
import { type LoadResult, load } from '../lib/load.js';
import { machine } from '../lib/report.js';

const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.TEST_REDIS_URL || process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const NODE = fileURLToPath(new URL('./node.ts', import.meta.url));
const KEY = 'bench-key';

interface Cluster {
  urls: string[];
  stop(): Promise<void>;
}

async function startNodes(n: number): Promise<Cluster> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const prefix = `bench-${randomBytes(4).toString('hex')}:`;
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  // One after the other: the first creates the schema.
  for (let i = 0; i < n; i++) {
    const child = fork(NODE, [], {
      execArgv: process.execArgv,
      env: {
        ...process.env,
        DATABASE_URL: PG_URL,
        DATABASE_SCHEMA: schema,
        REDIS_URL,
        REDIS_PREFIX: prefix,
        NODE_ID: `bench-node-${i}`,
        SWITCHBOARD_API_KEY: KEY,
        RATE_LIMIT_PER_MINUTE: '0',
        LOG_LEVEL: 'warn',
        DATA_DIR: '/nonexistent',
      },
    });
    urls.push(
      await new Promise<string>((resolve, reject) => {
        child.once('message', (m) => resolve((m as { url: string }).url));
        child.once('exit', (code) => reject(new Error(`node ${i} exited with ${code}`)));
      }),
    );
    children.push(child);
  }
  return {
    urls,
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise((r) => {
              c.once('exit', r);
              c.disconnect();
            }),
        ),
      );
      await dropSchema(PG_URL, schema);
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

async function api(url: string, method: string, path: string, body?: unknown) {
  const sep = path.includes('?') ? '&' : '?';
  const res = await fetch(`${url}${path}${sep}api_key=${KEY}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
}

/** 50 targets on an RTB campaign with a filled pool and a key; a tracking number for sim calls. */
async function seed(c: Cluster) {
  const [url] = c.urls;
  const ids: number[] = [];
  for (let i = 0; i < 50; i++)
    ids.push(
      (
        await api(url, 'POST', '/targets.json', {
          target: { number: `+1415${2000000 + i}`, priority: i % 3 },
        })
      ).target.id,
    );
  for (const u of c.urls)
    for (let i = 0; i < 50; i++)
      await api(u, 'POST', '/sim/endpoints', {
        number: `+1415${2000000 + i}`,
        answer_after_s: 0,
        hangup_after_s: 1,
      });
  await api(url, 'POST', '/affiliates.json', { affiliate: { afid: 'bench_pub' } });
  const { campaign } = await api(url, 'POST', '/campaigns.json', {
    campaign: { cid: 'scale', name: 'scale', target_ids: ids },
  });
  await api(url, 'POST', '/number_pools.json', {
    number_pool: { cid: 'scale', max_pool_size: 100_000, reserve_size: 0 },
  });
  const key = (
    await api(url, 'POST', '/campaigns/cid/scale/postback_keys.json', {
      postback_key: { reservation_seconds: 5 },
    })
  ).postback_key.key as string;
  const number = (
    await api(url, 'POST', '/numbers.json', { number: { afid: 'bench_pub', cid: campaign.cid } })
  ).number.number as string;
  return { key, number };
}

/** The same closed-loop load on every node at once; throughput summed, the worst p99. */
async function spread(c: Cluster, paths: (node: number) => string, body?: (node: number) => string) {
  const results: LoadResult[] = await Promise.all(
    c.urls.map((url, i) =>
      load({
        url,
        paths: [paths(i)],
        method: 'POST',
        ...(body ? { body: body(i), headers: { 'content-type': 'application/json' } } : {}),
        connections: 16,
        seconds: SECONDS,
      }),
    ),
  );
  const rps = results.reduce((s, r) => s + r.rps, 0);
  const p99 = Math.max(...results.map((r) => r.p99));
  const statuses: Record<string, number> = {};
  for (const r of results)
    for (const [s, k] of Object.entries(r.statuses)) statuses[s] = (statuses[s] ?? 0) + k;
  return { rps, p99, statuses };
}

console.log(`Scale over nodes (PostgreSQL + Redis), ${machine()}`);
for (const n of [1, 2, 3]) {
  const c = await startNodes(n);
  try {
    const { key, number } = await seed(c);
    // Each node's callers in their own range: +1301 n nnnnnn.
    const pings = await spread(
      c,
      (i) => `/rtbs.json?key=${key}&publisher_id=bench_pub&caller_number=%2B1301${i}{n6}`,
    );
    const calls = await spread(
      c,
      () => `/sim/calls?api_key=${KEY}`,
      (i) => JSON.stringify({ from: `+1302${i}{n6}`, to: number }),
    );
    const line = `${n} node${n > 1 ? 's' : ' '}  RTB ${Math.round(pings.rps)}/s p99 ${pings.p99.toFixed(1)} ms ${JSON.stringify(pings.statuses)}   sim set-ups ${Math.round(calls.rps)}/s p99 ${calls.p99.toFixed(1)} ms ${JSON.stringify(calls.statuses)}`;
    console.log(line);
  } finally {
    await c.stop();
  }
}
console.log(`done; ${machine()}`);
