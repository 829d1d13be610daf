/**
 * Report speed: `npm run bench -- reports`.
 *
 * Seeds 1,000,000 calls of one company over 90 days (200 publishers, 50 campaigns, 500 buyers, 1,000
 * numbers, tags geo and utm_campaign), 50,000 rows per INSERT … SELECT, on SQLite and then on PostgreSQL
 * (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test; skipped when it does not answer). Then
 * times `GET /api/v1/reports.json` over real HTTP for each facet on a 30-day range. Target: p95 < 300 ms.
 * Also printed: the first report after seeding (it sums the 30 days: "cold"), a range with partial days,
 * and a report right after 1,000 new calls landed in the range (one day summed again).
 * BENCH_CALLS overrides the size; BENCH_ITERATIONS the timed requests per facet (default 30); BENCH_DB picks
 * one database.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { request } from 'undici';
import { type App, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { dropSchema } from '../../src/store/db.js';
import type { Dialect } from '../../src/store/migrations/kit.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 1_000_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 30);
const WARMUP = 3;
const DAYS = 90;
const PUBLISHERS = 200;
const CAMPAIGNS = 50;
const TARGETS = 500;
const NUMBERS = 1_000;
const BATCH = 50_000;
const P95_TARGET_MS = 300;
const KEY = 'bench-reports-key';
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const T0 = Date.UTC(2025, 0, 1);
const SPAN = DAYS * 86_400_000;
const RANGE = 'created_at_start=2025-01-31&created_at_end=2025-03-02';
const FACETS = [
  'publisher',
  'buyer',
  'campaign',
  'number',
  'daily',
  'tag_value',
  'tag_value&tag_value_key=utm_campaign',
];

/**
 * Calls [from, to) in one INSERT … SELECT: the database generates the rows from a counter, with
 * multiplicative hashes standing in for a seeded PRNG; times grow with the counter, as calls arrive.
 */
function insertRange(app: App, dialect: Dialect, companyId: number, from: number, to: number, at?: number) {
  const step = Math.floor(SPAN / CALLS);
  const series =
    dialect === 'sqlite'
      ? sql`WITH RECURSIVE seq(n) AS (SELECT ${sql.lit(from)} UNION ALL SELECT n + 1 FROM seq WHERE n < ${sql.lit(to - 1)}),`
      : sql`WITH seq(n) AS (SELECT generate_series(${sql.lit(from)}::bigint, ${sql.lit(to - 1)}::bigint)),`;
  const base = at ?? T0 + from * step;
  const created = sql`${sql.lit(base)} + (n - ${sql.lit(from)}) * ${sql.lit(step)} + h1 % 1000`;
  const total = sql`(5 + h2 % 600)`;
  const connected = sql`(h1 % 10 < 7)`;
  const converted = sql`(h1 % 10 < 2)`;
  // Parenthesized: SQLite's || binds tighter than +.
  const text = (e: ReturnType<typeof sql>) => (dialect === 'sqlite' ? sql`(${e})` : sql`CAST(${e} AS TEXT)`);
  const tags = sql`'{"geo":"' || ${text(sql`200 + h2 % 50`)} || ',us","utm_campaign":"u' || ${text(sql`h1 % 20`)} || '"}'`;
  return sql`
    INSERT INTO calls (uuid, company_id, status, caller, caller_country, number, number_id, campaign_id, cid,
      affiliate_id, afid, target_id, start_time, end_time, ivr_duration, hold_duration, dialed_call_duration,
      total_duration, hung_up_by, keys_pressed, tags, downstream_call_uuids, via, charge_total, revenue, payout,
      created_at, updated_at, repeat, affiliate_repeat, number_repeat, duplicate, payable_duplicate,
      receivable_duplicate, connected, billable_minutes, converted, payable, receivable, rescued)
    ${series}
      r AS (SELECT n, (n * 2654435761) % 4294967291 AS h1, ((n + 7919) * 2246822519) % 4294967291 AS h2 FROM seq)
    SELECT 'b0000000-0000-4000-8000-' || ${text(sql`100000000000 + n`)}, ${sql.lit(companyId)},
      CASE WHEN ${connected} THEN 'finished' ELSE 'no-target' END,
      '+1301' || ${text(sql`5000000 + (h1 / 7) % 20000`)}, 'US', '+1800555' || ${text(sql`1000 + (h2 / 3) % ${sql.lit(NUMBERS)}`)},
      1 + (h2 / 3) % ${sql.lit(NUMBERS)}, 1 + (h1 / 256) % ${sql.lit(CAMPAIGNS)}, 'c' || ${text(sql`(h1 / 256) % ${sql.lit(CAMPAIGNS)}`)},
      1 + (h2 / 1024) % ${sql.lit(PUBLISHERS)}, 'a' || ${text(sql`(h2 / 1024) % ${sql.lit(PUBLISHERS)}`)},
      CASE WHEN ${connected} THEN 1 + (h2 / 17) % ${sql.lit(TARGETS)} END,
      ${created}, ${created} + ${total} * 1000, 0, 3, CASE WHEN ${connected} THEN ${total} - 3 ELSE 0 END, ${total},
      'caller', '[]', ${tags}, '[]', 'inbound-dial', ((${total} + 59) / 60) * 0.05,
      CASE WHEN ${converted} THEN 12.5 END, CASE WHEN ${converted} THEN 4.25 END,
      ${created}, ${created} + ${total} * 1000, CASE WHEN h2 % 10 < 3 THEN 1 ELSE 0 END, 0, 0,
      CASE WHEN h2 % 20 = 0 THEN 1 ELSE 0 END, 0, 0, CASE WHEN ${connected} THEN 1 ELSE 0 END,
      (${total} + 59) / 60, CASE WHEN ${converted} THEN 1 ELSE 0 END, 0, 0, 0
    FROM r`.execute(app.store.db);
}

async function seed(app: App, dialect: Dialect, companyId: number): Promise<void> {
  const now = Date.now();
  await app.store.db
    .insertInto('affiliates')
    .values(
      Array.from({ length: PUBLISHERS }, (_, i) => ({
        company_id: companyId,
        afid: `a${i}`,
        first_name: `Publisher ${i}`,
        last_name: null,
        company_name: null,
        created_at: now,
        updated_at: now,
        deleted_at: null,
      })),
    )
    .execute();
  if (dialect === 'sqlite') await sql`PRAGMA cache_size = -262144`.execute(app.store.db);
  for (let from = 0; from < CALLS; from += BATCH) {
    await insertRange(app, dialect, companyId, from, Math.min(from + BATCH, CALLS));
  }
  if (dialect === 'sqlite') await sql`PRAGMA cache_size = -2000`.execute(app.store.db);
  else await sql`ANALYZE calls`.execute(app.store.db);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function get(base: string, query: string): Promise<{ ms: number; rows: number; calls: number }> {
  const t = performance.now();
  // No client timeouts: a cold report on a busy machine may take minutes, and that is a figure too.
  const res = await request(`${base}/api/v1/reports.json?api_key=${KEY}&domain=calls&${query}`, {
    reset: true,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const body = (await res.body.json()) as { count_total: number; data: unknown[] };
  const ms = performance.now() - t;
  if (res.statusCode !== 200) throw new Error(`${query} → ${res.statusCode} ${JSON.stringify(body)}`);
  return { ms, rows: Number(res.headers['x-total-count']), calls: body.count_total };
}

/**
 * Work, which load does not change: rollup rows the report's sum reads (the facet's rows of the spans
 * it reads: days, or blocks of days since migration 0054), and this process's CPU per request (client
 * and server; on PostgreSQL the database's own CPU is elsewhere).
 */
async function rollupRowsRead(app: App, companyId: number, facet: string): Promise<number> {
  const f = facet.startsWith('tag_value&') ? 'tag_value' : facet === 'tag_value' ? 'tag' : facet;
  const key = facet.startsWith('tag_value&') ? 'utm_campaign' : undefined;
  const db = app.store.db as any;
  const [first, last] = [20250131, 20250301];
  let spans: { level: number; day: number }[] = [];
  try {
    const { coverDays } = await import('../../src/domain/report-blocks.js');
    spans = coverDays(first, last);
  } catch {
    // Before blocks: every day of the range.
  }
  let q = db
    .selectFrom('report_rollups')
    .select((eb: any) => eb.fn.countAll().as('n'))
    .where('company_id', '=', companyId)
    .where('facet', '=', f);
  q = spans.length
    ? q.where((eb: any) =>
        eb.or(spans.map((s) => eb.and([eb('level', '=', s.level), eb('day', '=', s.day)]))),
      )
    : q.where('day', '>=', first).where('day', '<=', last);
  if (key) q = q.where('key', '=', key);
  return Number((await q.executeTakeFirst()).n);
}

async function timeFacet(
  base: string,
  label: string,
  query: string,
  target?: number,
  work?: () => Promise<number>,
): Promise<boolean> {
  for (let i = 0; i < WARMUP; i++) await get(base, query);
  const times: number[] = [];
  let last = { rows: 0, calls: 0 };
  const cpu = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) {
    const r = await get(base, query);
    times.push(r.ms);
    last = r;
  }
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000 / ITERATIONS;
  times.sort((a, b) => a - b);
  const [p50, p95] = [percentile(times, 50), percentile(times, 95)];
  const verdict = target === undefined ? '(context)' : p95 < target ? 'PASS' : 'FAIL';
  const read = work ? `, ${(await work()).toLocaleString('en-US')} rollup rows read` : '';
  console.log(
    `  ${label.padEnd(40)} p50 ${p50.toFixed(1).padStart(6)} ms  p95 ${p95.toFixed(1).padStart(6)} ms` +
      `  cpu ${cpuMs.toFixed(1).padStart(5)} ms/req  ${String(last.rows).padStart(5)} rows, ` +
      `${last.calls.toLocaleString('en-US')} calls${read}  ${verdict}`,
  );
  return target === undefined || p95 < target;
}

async function runOn(dialect: Dialect): Promise<boolean> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-reports-'));
  const schema = `bench_reports_${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    DATA_DIR: dir,
    SWITCHBOARD_API_KEY: KEY,
    RATE_LIMIT_PER_MINUTE: '100000000',
    LOG_LEVEL: 'silent',
    ...(dialect === 'postgres' ? { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema } : {}),
  });
  const app = await buildApp({
    config,
    logger: false,
    sqliteFileOverride: path.join(dir, 'switchboard.sqlite'),
  });
  try {
    const company = await app.store.db
      .selectFrom('companies')
      .select('id')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const base = await app.http.listen({ port: 0, host: '127.0.0.1' });
    // A fresh connection per request (`reset`): a kept-alive socket the server closed while seeding ran
    // (its keep-alive timeout is 72 s) would fail the next request.
    const api = (method: 'PUT' | 'POST', url: string, body?: unknown) =>
      request(`${base}${url}${url.includes('?') ? '&' : '?'}api_key=${KEY}`, {
        method,
        reset: true,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      }).then((r) => r.body.json() as Promise<any>);
    await api('PUT', `/companies/${company.id}.json`, {
      company: { time_zone: 'Eastern Time (US & Canada)' },
    });
    const tag = (await api('POST', '/tags.json', { tag: { key: 'utm_campaign' } })).tag;

    const seedStart = performance.now();
    await seed(app, dialect, company.id);
    const seedS = (performance.now() - seedStart) / 1000;
    console.log(
      `\n== ${dialect}: seeded ${CALLS.toLocaleString('en-US')} calls in ${seedS.toFixed(1)} s ` +
        `(${Math.round(CALLS / seedS).toLocaleString('en-US')} rows/s, triggers included)`,
    );
    await api('POST', `/tags/${tag.id}/reindex.json`);

    const cold = await get(base, `facet=publisher&${RANGE}`);
    console.log(
      `  cold: first report after seeding ${cold.ms.toFixed(0)} ms (applies the change log of the load, sums the 30 days)`,
    );
    console.log(
      `  30-day range, GET /api/v1/reports.json over HTTP, ${ITERATIONS} timed requests; target p95 < ${P95_TARGET_MS} ms`,
    );
    let ok = true;
    console.log(
      `  load average at the start of the timings: ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(', ')}`,
    );
    for (const facet of FACETS) {
      const work = () => rollupRowsRead(app, company.id, facet);
      ok = (await timeFacet(base, `facet=${facet}`, `facet=${facet}&${RANGE}`, P95_TARGET_MS, work)) && ok;
    }
    await timeFacet(
      base,
      'publisher, partial days at both ends',
      'facet=publisher&created_at_start=2025-01-31T13:30:00Z&created_at_end=2025-03-02T09:15:00Z',
    );
    // 1,000 new calls on one day of the range: that day is summed again on the next report.
    await insertRange(app, dialect, company.id, CALLS + 1_000_000, CALLS + 1_001_000, T0 + 45 * 86_400_000);
    const after = await get(base, `facet=publisher&${RANGE}`);
    console.log(`  first report after 1,000 new calls: ${after.ms.toFixed(0)} ms (context)`);
    return ok;
  } catch (err) {
    console.log(`  ${dialect}: the run failed: ${(err as Error).stack ?? err}`);
    return false;
  } finally {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (dialect === 'postgres') await dropSchema(PG_URL, schema);
  }
}

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const results: string[] = [];
// BENCH_DB=sqlite or BENCH_DB=postgres runs one of them.
const only = process.env.BENCH_DB;
for (const dialect of (['sqlite', 'postgres'] as const).filter((d) => !only || d === only)) {
  if (dialect === 'postgres' && !(await postgresAnswers())) {
    console.log(`\n== postgres: ${PG_URL} does not answer; skipped`);
    continue;
  }
  const ok = await runOn(dialect);
  results.push(`${dialect} ${ok ? 'PASS' : 'FAIL'}`);
}
console.log(`\n${results.join(', ')}`);
