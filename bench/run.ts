/**
 * `npm run bench -- <name>` runs bench/<name>/index.ts; each benchmark prints its figures against its
 * stated target and exits 0 when it ran (the verdict is printed, not the exit code).
 * `npm run bench -- all` runs every benchmark, the database ones on SQLite and on PostgreSQL
 * (DATABASE_URL, default the local test database), each in its own process, and writes the figures
 * to bench/results.md (`all <name>…` runs just those, BENCH_DBS=sqlite just one database). Without a
 * name, lists what there is.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Row } from './lib/report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here).filter(
  (n) => statSync(path.join(here, n)).isDirectory() && existsSync(path.join(here, n, 'index.ts')),
);
/** Benchmarks that go through the store, run once per database by `all`. */
const PER_DATABASE = ['lists', 'calls-list', 'sim-calls', 'rtb'];
const name = process.argv[2];
if (name === 'all') runAll();
else if (!name || !names.includes(name)) {
  console.log(`usage: npm run bench -- <name>|all\navailable: ${names.join(', ') || '(none yet)'}`);
  process.exit(name ? 2 : 0);
} else await import(pathToFileURL(path.join(here, name, 'index.ts')).href);

function runAll(): void {
  const started = Date.now();
  const resultsFile = path.join(os.tmpdir(), `sb-bench-${process.pid}.jsonl`);
  const runs: { name: string; db: string; code: number | null; seconds: number }[] = [];
  // `all lists rtb` runs just those; BENCH_DBS=sqlite just one database.
  const wanted = process.argv.slice(3).filter((n) => names.includes(n));
  const chosen = wanted.length ? wanted : names;
  const order = [
    ...PER_DATABASE.filter((n) => chosen.includes(n)),
    ...chosen.filter((n) => !PER_DATABASE.includes(n)),
  ];
  for (const db of (process.env.BENCH_DBS ?? 'sqlite,postgres').split(',')) {
    for (const n of order) {
      if (db === 'postgres' && !PER_DATABASE.includes(n)) continue;
      console.log(`\n=== ${n} (${db})`);
      const t = Date.now();
      const res = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), n], {
        stdio: 'inherit',
        env: {
          BENCH_SECONDS: '3',
          ...process.env,
          BENCH_DB: db,
          BENCH_RESULTS: resultsFile,
          ...(db === 'postgres'
            ? { DATABASE_URL: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test' }
            : {}),
        },
      });
      runs.push({ name: n, db, code: res.status, seconds: (Date.now() - t) / 1000 });
    }
  }
  const rows: Row[] = existsSync(resultsFile)
    ? readFileSync(resultsFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
  rmSync(resultsFile, { force: true });
  const ms = (n: number | null) => (n === null || !Number.isFinite(n) ? '–' : n.toFixed(n < 10 ? 2 : 1));
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench -- all\` on ${new Date().toISOString()} in ${((Date.now() - started) / 60_000).toFixed(1)} min; ` +
      `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average at the end ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(
          ' ',
        )}. Shared machine: compare each row with its reference (same run, same bytes), not with other runs.`,
    '',
    '| bench | case | db | throughput | p50 ms | p95 ms | p99 ms | share of bare Fastify | server CPU µs/req (ref) | target | verdict |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.bench} | ${r.case} | ${r.db} | ${r.throughput} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(0)} %`} | ${r.cpuUs === undefined ? '' : `${Math.round(r.cpuUs)} (${Math.round(r.refCpuUs ?? 0)})`} | ${r.target} | ${r.pass === null ? '' : r.pass ? 'PASS' : 'FAIL'} |`,
    ),
    '',
    '| run | db | exit | seconds |',
    '|---|---|---:|---:|',
    ...runs.map((r) => `| ${r.name} | ${r.db} | ${r.code} | ${r.seconds.toFixed(0)} |`),
    '',
  ];
  writeFileSync(path.join(here, 'results.md'), lines.join('\n'));
  console.log(
    `\nwrote bench/results.md (${rows.length} rows, ${((Date.now() - started) / 60_000).toFixed(1)} min)`,
  );
}
