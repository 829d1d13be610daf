/**
 * Call log listing over real HTTP: `npm run bench -- calls-list` (BENCH_DB=postgres for PostgreSQL).
 *
 * Seeds 1,000,000 calls (BENCH_CALLS; 5 companies, 50 campaigns and 200 affiliates each, 20,000
 * callers, 90 days), then a load client in another process keeps 50 connections busy on
 * `GET /calls.json` with each documented filter shape, and a bare Fastify serves the same bytes for
 * the ratio. Target: p99 < 100 ms for every shape, the unfiltered first page included.
 */
import { load } from '../lib/load.js';
import { emitPair, machine } from '../lib/report.js';
import { otherCompanies, SHAPE, seedCalls } from '../lib/seed-calls.js';
import { record, startReference, startSwitchboard } from '../lib/servers.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 1_000_000);
const CONNECTIONS = 50;
const P99_TARGET_MS = 100;

const sb = await startSwitchboard();
try {
  const db = sb.app.store.db;
  const company = await db.selectFrom('companies').select('id').orderBy('id').executeTakeFirstOrThrow();
  const seedStart = performance.now();
  await seedCalls(db, sb.db === 'postgres', CALLS, [company.id, ...(await otherCompanies(db, 4))]);
  const seedS = (performance.now() - seedStart) / 1000;
  console.log(
    `seeded ${CALLS.toLocaleString('en-US')} calls in ${seedS.toFixed(1)} s on ${sb.db}; ${machine()}`,
  );

  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '%2B00:00');
  const range = `created_at_start=${iso(SHAPE.t0 + 30 * 86_400_000)}&created_at_end=${iso(SHAPE.t0 + 60 * 86_400_000)}`;
  const cases: [string, string][] = [
    ['no filter, page 1', '/calls.json?page=1'],
    ['client_cid + 30-day range + page 3', `/calls.json?client_cid=c7&${range}&page=3`],
    ['V2: client_cid + 30-day range + page 3', `/api/v2/calls.json?client_cid=c7&${range}&page=3`],
    ['caller, oldest first', '/calls.json?caller=%2B13015001234&order=asc'],
    ['client_afid, page 2', '/calls.json?client_afid=a17&page=2'],
    ['no filter, page 400 (deep)', '/calls.json?page=400'],
  ];
  for (const [name, p] of cases) {
    const path = `${p}&api_key=${sb.key}`;
    const recorded = await record(sb.url, [path]);
    const ref = await startReference(recorded);
    try {
      const mine = await load({ url: sb.url, paths: [path], connections: CONNECTIONS });
      const theirs = await load({ url: ref.url, paths: [path], connections: CONNECTIONS });
      emitPair('calls-list', `GET /calls.json ${name}`, sb.db, mine, theirs, { p99: P99_TARGET_MS });
    } finally {
      await ref.close();
    }
  }
} finally {
  await sb.close();
}
