import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { type App, buildApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { dropSchema } from '../../src/store/db.js';

export const DATABASE_URL = process.env.DATABASE_URL;
/** `TEST_REDIS_URL` (what .ci/run sets), else `REDIS_URL`. */
export const REDIS_URL = process.env.TEST_REDIS_URL || process.env.REDIS_URL;
/** Why the suite cannot run here, if it cannot (printed by the suite). */
export const MISSING = !DATABASE_URL?.startsWith('postgres')
  ? 'DATABASE_URL (PostgreSQL) is not set'
  : !REDIS_URL
    ? 'TEST_REDIS_URL (or REDIS_URL) is not set'
    : undefined;

export interface Node {
  id: string;
  app: App;
  clock: ManualClock;
  alive: boolean;
}

/**
 * Three app instances in this process, each a node of its own: its own PostgreSQL pool and Redis
 * connections (its own LiveState), engine, simulated network, delivery worker and manual clock,
 * sharing one database schema and one Redis prefix. In one process rather than three child processes
 * so that the nodes' clocks move together under the test's hand (exact, instant, no sleeps) and a
 * suite of several scenarios stays within seconds; `kill` stops a node as a crash would for the
 * others (its Redis connections drop, its heartbeat stops, its clock and network freeze, deliveries
 * on the wire are cut). A real SIGKILL of a child process is covered by test/engine/kill-restart.
 */
export async function startCluster(n = 3, env: Record<string, string> = {}) {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const prefix = `t-${randomBytes(4).toString('hex')}:`;
  const key = `test-key-${randomBytes(8).toString('hex')}`;
  const start = Date.UTC(2026, 0, 5, 15, 0, 0);
  const nodes: Node[] = [];
  const start1 = async (i: number): Promise<Node> => {
    const id = `node-${i}`;
    const config = loadConfig({
      DATA_DIR: '/nonexistent',
      SWITCHBOARD_API_KEY: key,
      RATE_LIMIT_PER_MINUTE: '100000',
      DATABASE_URL: DATABASE_URL!,
      DATABASE_SCHEMA: schema,
      REDIS_URL: REDIS_URL!,
      REDIS_PREFIX: prefix,
      NODE_ID: id,
      ...env,
    });
    const clock = new ManualClock(start);
    const app = await buildApp({ config, clock, logger: false });
    return { id, app, clock, alive: true };
  };
  // The first creates the schema; the others find it migrated and start together.
  nodes.push(await start1(0));
  nodes.push(...(await Promise.all(Array.from({ length: n - 1 }, (_, i) => start1(i + 1)))));
  const company = await nodes[0].app.store.db
    .selectFrom('companies')
    .select('id')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const alive = () => nodes.filter((x) => x.alive);
  let turn = 0;

  /** One HTTP request to a node (by index), or to the next live node in turn. */
  async function request(method: string, url: string, body?: unknown, node?: number) {
    const target = node === undefined ? alive()[turn++ % alive().length] : nodes[node];
    const u = new URL(url, 'http://switchboard.test');
    if (!u.pathname.startsWith('/call_control/') && !u.searchParams.has('api_key'))
      u.searchParams.set('api_key', key);
    const res = await target.app.http.inject({
      method: method as any,
      url: u.pathname + u.search,
      ...(body === undefined ? {} : { payload: body as any }),
    });
    let parsed: any = res.body;
    if (String(res.headers['content-type'] ?? '').includes('json') && res.body) parsed = JSON.parse(res.body);
    return { status: res.statusCode, body: parsed, text: res.body, node: target.id };
  }

  return {
    nodes,
    key,
    companyId: company.id,
    db: nodes[0].app.store.db,
    request,
    /** Moves every live node's clock forward together, a step at a time (each settles in turn). */
    async advance(ms: number, stepMs = 1000) {
      for (let done = 0; done < ms; done += stepMs)
        for (const x of alive()) await x.clock.advance(Math.min(stepMs, ms - done));
    },
    async kill(i: number) {
      nodes[i].alive = false;
      await nodes[i].app.close({ abort: true });
    },
    async close() {
      for (const x of nodes) if (x.alive) await x.app.close();
      await dropSchema(DATABASE_URL!, schema);
      const redis = new Redis(REDIS_URL!);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

export type Cluster = Awaited<ReturnType<typeof startCluster>>;
