/**
 * Counts the SQL statements a Kysely instance runs (every executor it or its transactions make shares
 * one prototype, so patching it sees them all): a load-independent measure of a request's work.
 * `measureWork` runs the `work.ts` benchmarks (bench/rtb, bench/sim-calls) with it.
 */
import type { Kysely } from 'kysely';

export interface QueryCounter {
  /** Statements since the last reset, by SQL text (parameters left out). */
  readonly bySql: Map<string, number>;
  total(): number;
  reset(): void;
  stop(): void;
}

export function countQueries(db: Kysely<any>): QueryCounter {
  let proto = Object.getPrototypeOf(db.getExecutor());
  while (proto && !Object.hasOwn(proto, 'executeQuery')) proto = Object.getPrototypeOf(proto);
  const original = proto.executeQuery;
  const bySql = new Map<string, number>();
  proto.executeQuery = function (this: unknown, query: { sql: string }, ...rest: unknown[]) {
    bySql.set(query.sql, (bySql.get(query.sql) ?? 0) + 1);
    return original.call(this, query, ...rest);
  };
  return {
    bySql,
    total: () => [...bySql.values()].reduce((a, b) => a + b, 0),
    reset: () => bySql.clear(),
    stop: () => {
      proto.executeQuery = original;
    },
  };
}

/**
 * Counts the commands a live state's Redis connection sends (by name) while it runs; a script run
 * counts as EVALSHA. Commands sent in one pipeline are counted one by one, as are their round trips
 * (`roundTrips` counts writes to the socket instead: a pipeline's commands share one).
 */
export interface RedisCounter {
  readonly byCommand: Map<string, number>;
  total(): number;
  stop(): void;
}

export async function countRedis(): Promise<RedisCounter> {
  const { Redis } = await import('ioredis');
  const proto = Redis.prototype as unknown as {
    sendCommand(cmd: { name: string }, ...rest: unknown[]): unknown;
  };
  const original = proto.sendCommand;
  const byCommand = new Map<string, number>();
  proto.sendCommand = function (this: unknown, cmd: { name: string }, ...rest: unknown[]) {
    byCommand.set(cmd.name, (byCommand.get(cmd.name) ?? 0) + 1);
    return original.call(this, cmd, ...rest);
  };
  return {
    byCommand,
    total: () => [...byCommand.values()].reduce((a, b) => a + b, 0),
    stop: () => {
      proto.sendCommand = original;
    },
  };
}

/**
 * The measuring part of the `work.ts` benchmarks: `count` operations in batches of `batch` (each batch
 * awaited) after `warmUp` of them, printing SQL statements (and Redis commands, when the live state is
 * on Redis) and process CPU per operation, the statements by text, and with BENCH_PROFILE=file a CPU
 * profile of the measured operations only (`npx tsx bench/lib/profile-summary.ts file`).
 */
export async function measureWork(opts: {
  db: Kysely<any>;
  title: string;
  unit: string;
  warmUp: number;
  count: number;
  batch: number;
  /** One operation; throws when it was answered with an error. */
  operation: () => Promise<void>;
  redis?: boolean;
}): Promise<void> {
  const { writeFileSync } = await import('node:fs');
  const { Session } = await import('node:inspector/promises');
  const { machine } = await import('./report.js');
  const run = async (count: number) => {
    for (let i = 0; i < count; i += opts.batch)
      await Promise.all(Array.from({ length: Math.min(opts.batch, count - i) }, opts.operation));
  };
  await run(opts.warmUp);
  const counter = countQueries(opts.db);
  const redis = opts.redis ? await countRedis() : undefined;
  const profileFile = process.env.BENCH_PROFILE;
  const session = profileFile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(opts.count);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  counter.stop();
  redis?.stop();
  if (session && profileFile) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
    session.disconnect();
  }
  const per = (n: number) => (n / opts.count).toFixed(2);
  console.log(`${opts.title}; ${machine()}`);
  console.log(
    `  ${per(counter.total())} SQL statements${redis ? `, ${per(redis.total())} Redis commands` : ''} per ${opts.unit}, CPU ${((cpu.user + cpu.system) / opts.count).toFixed(0)} µs, wall ${((wall * 1000) / opts.count).toFixed(0)} µs per ${opts.unit}`,
  );
  for (const [text, count] of [...counter.bySql].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(
      `  ${(count / opts.count).toFixed(3).padStart(7)}  ${text.replace(/\s+/g, ' ').slice(0, 200)}`,
    );
  if (redis)
    for (const [name, count] of [...redis.byCommand].sort((a, b) => b[1] - a[1]))
      console.log(`  ${(count / opts.count).toFixed(3).padStart(7)}  redis ${name}`);
}
