/**
 * Call log listing speed: `npm run bench -- calls-list`.
 *
 * Seeds 1,000,000 calls into a SQLite file in a temp dir (5 companies, 50 campaigns and 200 affiliates
 * each, 20,000 callers, 90 days), then times `GET /calls.json` through the whole HTTP stack
 * (auth, validation, query, count, presenter, Link header) with a client_cid filter, a 30-day
 * created_at range and page 3. Target: p95 < 20 ms on SQLite. Other shapes are printed for context.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { type App, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/store/db.js';

/** BENCH_CALLS overrides the size for a quick look; BENCH_KEEP=1 keeps the SQLite file (its path is printed). */
const CALLS = Number(process.env.BENCH_CALLS ?? 1_000_000);
const COMPANIES = 5;
const CAMPAIGNS = 50;
const AFFILIATES = 200;
const CALLERS = 20_000;
const DAYS = 90;
const TX_ROWS = 50_000;
const WARMUP = 100;
const ITERATIONS = 1_000;
const P95_TARGET_MS = 20;
const KEY = 'bench-calls-list-key';
const T0 = Date.UTC(2025, 0, 1);
const SPAN = DAYS * 86_400_000;

/**
 * Inserts calls [from, to) in one INSERT … SELECT: SQLite generates the rows from a counter, with
 * multiplicative hashes standing in for a seeded PRNG, so 1M rows take seconds rather than minutes
 * of building and binding parameters in JavaScript. Times grow with the counter, as calls arrive.
 */
function insertRange(db: Db, from: number, to: number, companyIds: number[]) {
  const company = sql.join(
    companyIds.map((id, i) => sql`WHEN ${sql.lit(i)} THEN ${sql.lit(id)}`),
    sql` `,
  );
  const pad = (expr: ReturnType<typeof sql>, width: number) =>
    sql`substr('0000000000000' || (${expr}), ${sql.lit(-width)})`;
  const created = sql`${sql.lit(T0)} + n * ${sql.lit(SPAN / CALLS)} + h1 % 1000`;
  const total = sql`(5 + h2 % 600)`;
  const connected = sql`(h1 % 10 < 7)`;
  const campaign = sql`((h1 / 256) % ${sql.lit(CAMPAIGNS)})`;
  const affiliate = sql`((h2 / 1024) % ${sql.lit(AFFILIATES)})`;
  const target = sql`((h2 / 17) % 500)`;
  return sql`
    INSERT INTO calls (uuid, company_id, status, caller, caller_country, number, number_id, campaign_id, cid,
      campaign_name, affiliate_id, afid, affiliate_name, sid, target_id, tid, dialed_number, start_time, end_time,
      ivr_duration, hold_duration, dialed_call_duration, total_duration, hung_up_by, keys_pressed, tags,
      downstream_call_uuids, via, charge_total, revenue, payout, created_at, updated_at, repeat, affiliate_repeat,
      number_repeat, duplicate, payable_duplicate, receivable_duplicate, connected, billable_minutes, converted,
      payable, receivable, rescued)
    WITH RECURSIVE seq(n) AS (SELECT ${sql.lit(from)} UNION ALL SELECT n + 1 FROM seq WHERE n < ${sql.lit(to - 1)}),
      r AS (SELECT n, (n * 2654435761) % 4294967291 AS h1, ((n + 7919) * 2246822519) % 4294967291 AS h2 FROM seq)
    SELECT '00000000-0000-4000-8000-' || ${pad(sql`n`, 12)}, CASE (h2 / 13) % ${sql.lit(companyIds.length)} ${company} END,
      CASE WHEN ${connected} THEN 'finished' ELSE 'no-target' END,
      '+1301' || (5000000 + (h1 / 7) % ${sql.lit(CALLERS)}), 'US', '+1800555' || ${pad(campaign, 4)}, ${campaign} + 1,
      ${campaign} + 1, 'c' || ${campaign}, 'Campaign ' || ${campaign}, ${affiliate} + 1, 'a' || ${affiliate}, NULL,
      CASE WHEN (h2 / 7) % 10 < 3 THEN 's' || ((h2 / 70) % 10) END,
      CASE WHEN ${connected} THEN ${target} + 1 END, CASE WHEN ${connected} THEN 't' || ${target} END,
      CASE WHEN ${connected} THEN '+1415555' || ${pad(sql`h1 % 10000`, 4)} END,
      ${created}, ${created} + ${total} * 1000, h1 % 20, h2 % 20,
      CASE WHEN ${connected} THEN ${total} - 10 ELSE 0 END, ${total}, 'caller', '["1"]', '{"geo":"301,us"}', '[]',
      'inbound-dial', ((${total} + 59) / 60) * 0.05, CASE WHEN ${connected} THEN 5 END, CASE WHEN ${connected} THEN 2 END,
      ${created}, ${created} + ${total} * 1000, 0, 0, 0, 0, 0, 0, CASE WHEN ${connected} THEN 1 ELSE 0 END,
      (${total} + 59) / 60, 0, 0, 0, 0
    FROM r`.execute(db);
}

/** The calls, TX_ROWS per transaction, spread over COMPANIES companies (the key's first). */
async function seed(db: Db, firstCompany: number): Promise<void> {
  const now = Date.now();
  const others = await db
    .insertInto('companies')
    .values(
      Array.from({ length: COMPANIES - 1 }, (_, i) => ({
        name: `Bench ${i}`,
        default_click_url: null,
        default_sale_url: null,
        created_at: now,
        updated_at: now,
      })),
    )
    .returning('id')
    .execute();
  const companyIds = [firstCompany, ...others.map((c) => c.id)];
  // Index pages of a 1M-row table do not fit SQLite's default 2 MB page cache; seeding is I/O bound without more.
  await sql`PRAGMA cache_size = -262144`.execute(db);
  for (let from = 0; from < CALLS; from += TX_ROWS) {
    await db
      .transaction()
      .execute((tx) => insertRange(tx, from, Math.min(from + TX_ROWS, CALLS), companyIds));
  }
  await sql`PRAGMA cache_size = -2000`.execute(db);
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Times one request shape; the response must be a 200 with the expected page size. */
async function measure(app: App, name: string, url: string, target?: number): Promise<boolean> {
  const run = async () => {
    const res = await app.http.inject({ method: 'GET', url: `${url}&api_key=${KEY}` });
    if (res.statusCode !== 200) throw new Error(`${url} → ${res.statusCode} ${res.body}`);
    return res;
  };
  for (let i = 0; i < WARMUP; i++) await run();
  const times = new Float64Array(ITERATIONS);
  let rows = 0;
  let total = '';
  for (let i = 0; i < ITERATIONS; i++) {
    const t = performance.now();
    const res = await run();
    times[i] = performance.now() - t;
    rows = JSON.parse(res.body).length;
    total = String(res.headers['x-total-count']);
  }
  times.sort();
  const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(times, p));
  const verdict = target === undefined ? '(context)' : p95 < target ? 'PASS' : 'FAIL';
  console.log(
    `${name.padEnd(52)} p50 ${p50.toFixed(2)} ms  p95 ${p95.toFixed(2)} ms  p99 ${p99.toFixed(2)} ms` +
      `  (${rows} rows of ${total})  ${verdict}`,
  );
  return target === undefined || p95 < target;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-calls-'));
const file = path.join(dir, 'switchboard.sqlite');
const config = loadConfig({
  DATA_DIR: dir,
  SWITCHBOARD_API_KEY: KEY,
  RATE_LIMIT_PER_MINUTE: '100000000',
  LOG_LEVEL: 'silent',
});
const app = await buildApp({ config, logger: false, sqliteFileOverride: file });
try {
  const company = await app.store.db
    .selectFrom('companies')
    .select('id')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const seedStart = performance.now();
  await seed(app.store.db, company.id);
  const seedS = (performance.now() - seedStart) / 1000;
  console.log(
    `seeded ${CALLS.toLocaleString('en-US')} calls in ${seedS.toFixed(1)} s (${Math.round(CALLS / seedS).toLocaleString('en-US')} rows/s), ${(fs.statSync(file).size / 1e6).toFixed(0)} MB`,
  );

  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '%2B00:00');
  const range = `created_at_start=${iso(T0 + 30 * 86_400_000)}&created_at_end=${iso(T0 + 60 * 86_400_000)}`;
  console.log(
    `GET /calls.json through app.http.inject, ${WARMUP} warm-up + ${ITERATIONS} timed requests each; target p95 < ${P95_TARGET_MS} ms`,
  );
  const ok = await measure(
    app,
    'client_cid + 30-day range + page 3',
    `/calls.json?client_cid=c7&${range}&page=3`,
    P95_TARGET_MS,
  );
  await measure(
    app,
    'V2: client_cid + 30-day range + page 3',
    `/api/v2/calls.json?client_cid=c7&${range}&page=3`,
  );
  await measure(app, 'caller + sort_by=created_at asc', `/calls.json?caller=%2B13015001234&order=asc`);
  await measure(app, 'client_afid + sub_id, page 2', `/calls.json?client_afid=a17&sub_id=s3&page=2`);
  await measure(app, 'no filter, page 1 (counts every call of the company)', `/calls.json?page=1`);
  console.log(ok ? 'PASS' : 'FAIL');
  process.exitCode = ok ? 0 : 1;
} finally {
  await app.close();
  if (process.env.BENCH_KEEP === '1') console.log(`kept ${file}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}
