/**
 * Work per `GET /calls.json`, independent of the machine's load: `npx tsx bench/calls-list/work.ts`
 * (BENCH_DB=postgres, BENCH_CALLS default 200,000). Each documented filter shape through `inject()`:
 * SQL statements and CPU per request, and the query plans of its statements (EXPLAIN).
 * BENCH_PROFILE=file profiles the unfiltered first page.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { sql } from 'kysely';
import { countQueries } from '../lib/count-queries.js';
import { machine } from '../lib/report.js';
import { otherCompanies, SHAPE, seedCalls } from '../lib/seed-calls.js';
import { startSwitchboard } from '../lib/servers.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 200_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);

const sb = await startSwitchboard();
try {
  const db = sb.app.store.db;
  const company = await db.selectFrom('companies').select('id').orderBy('id').executeTakeFirstOrThrow();
  await seedCalls(db, sb.db === 'postgres', CALLS, [company.id, ...(await otherCompanies(db, 4))]);
  console.log(`GET /calls.json work, ${sb.db}, ${CALLS} calls; ${machine()}`);
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '%2B00:00');
  const range = `created_at_start=${iso(SHAPE.t0 + 30 * 86_400_000)}&created_at_end=${iso(SHAPE.t0 + 60 * 86_400_000)}`;
  const cases: [string, string][] = [
    ['no filter, page 1', '/calls.json?page=1'],
    ['client_cid + 30-day range + page 3', `/calls.json?client_cid=c7&${range}&page=3`],
    ['caller, oldest first', '/calls.json?caller=%2B13015001234&order=asc'],
    ['client_afid, page 2', '/calls.json?client_afid=a17&page=2'],
    ['no filter, page 400 (deep)', '/calls.json?page=400'],
  ];
  const explain = sb.db === 'postgres' ? 'EXPLAIN ' : 'EXPLAIN QUERY PLAN ';
  for (const [name, path] of cases) {
    const get = () => sb.app.http.inject({ method: 'GET', url: `${path}&api_key=${sb.key}` });
    for (let i = 0; i < 20; i++) await get();
    const counter = countQueries(db);
    const profile = process.env.BENCH_PROFILE && name === cases[0][0] ? new Session() : undefined;
    if (profile) {
      profile.connect();
      await profile.post('Profiler.enable');
      await profile.post('Profiler.start');
    }
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < REQUESTS; i++) {
      const res = await get();
      if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`);
    }
    const cpu = process.cpuUsage(cpu0);
    counter.stop();
    if (profile) {
      writeFileSync(
        process.env.BENCH_PROFILE!,
        JSON.stringify((await profile.post('Profiler.stop')).profile),
      );
      profile.disconnect();
    }
    console.log(
      `${name}: ${(counter.total() / REQUESTS).toFixed(1)} statements, CPU ${((cpu.user + cpu.system) / REQUESTS).toFixed(0)} µs per request`,
    );
  }
  // The shapes' page queries as the planner sees them (values inlined).
  const c = company.id;
  const from = SHAPE.t0 + 30 * 86_400_000;
  const until = SHAPE.t0 + 60 * 86_400_000;
  const plans: [string, string][] = [
    [
      'no filter, page 1',
      `select * from calls where company_id = ${c} order by created_at desc, id desc limit 25`,
    ],
    [
      'cid + range count',
      `select count(*) from calls where company_id = ${c} and created_at >= ${from} and created_at < ${until} and cid = 'c7'`,
    ],
    [
      'cid + range page',
      `select * from calls where company_id = ${c} and created_at >= ${from} and created_at < ${until} and cid = 'c7' order by created_at desc, id desc limit 25 offset 50`,
    ],
    ['caller count', `select count(*) from calls where company_id = ${c} and caller = '+13015001234'`],
    [
      'caller page',
      `select * from calls where company_id = ${c} and caller = '+13015001234' order by created_at asc, id asc limit 25`,
    ],
    ['afid count', `select count(*) from calls where company_id = ${c} and afid = 'a17'`],
    [
      'afid page',
      `select * from calls where company_id = ${c} and afid = 'a17' order by created_at desc, id desc limit 25 offset 25`,
    ],
    [
      'deep page ids',
      `select id from calls where company_id = ${c} order by created_at desc, id desc limit 25 offset 9975`,
    ],
  ];
  for (const [name, q] of plans) {
    const { rows } = await sql.raw<Record<string, unknown>>(explain + q).execute(db);
    const text = rows.map((r) => String(r.detail ?? r['QUERY PLAN'])).join(' | ');
    console.log(`  plan ${name}: ${text}`);
  }
} finally {
  await sb.close();
}
