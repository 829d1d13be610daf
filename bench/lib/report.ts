/**
 * How benchmarks print and record their figures. Each row is printed at once; when BENCH_RESULTS names a
 * file (`npm run bench -- all` sets it), the row is appended there as one JSON line for bench/results.md.
 */
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import type { LoadResult } from './load.js';

export interface Row {
  bench: string;
  case: string;
  db: string;
  /** e.g. "1,234 req/s" */
  throughput: string;
  p50: number;
  p95: number;
  p99: number;
  /** Switchboard's throughput as a share of the bare reference's, when there is one. */
  ratio?: number;
  /** Server CPU per request, Switchboard and reference (µs): steadier than throughput on a busy machine. */
  cpuUs?: number;
  refCpuUs?: number;
  target: string;
  pass: boolean | null;
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '–');

export function machine(): string {
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${os.cpus().length} CPUs, load average ${load}`;
}

/** Appends a row for bench/results.md (when `all` runs) without printing it. */
export function record(row: Row): void {
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify(row)}\n`);
}

export function emit(row: Row): void {
  const ratio =
    row.ratio === undefined
      ? ''
      : `  ${(row.ratio * 100).toFixed(0)} % of bare Fastify; CPU ${Math.round(row.cpuUs ?? 0)} vs ${Math.round(row.refCpuUs ?? 0)} µs/req`;
  const verdict = row.pass === null ? '(context)' : row.pass ? 'PASS' : 'FAIL';
  console.log(
    `${`[${row.db}] ${row.case}`.padEnd(52)} ${row.throughput.padStart(13)}  p50 ${ms(row.p50)}  p95 ${ms(row.p95)}  p99 ${ms(row.p99)} ms${ratio}  target ${row.target}: ${verdict}`,
  );
  record(row);
}

export function rps(r: LoadResult): string {
  return `${Math.round(r.rps).toLocaleString('en-US')} req/s`;
}

/** Prints and records a Switchboard load next to its reference. */
export function emitPair(
  bench: string,
  name: string,
  db: string,
  sb: LoadResult,
  ref: LoadResult,
  target: { ratio?: number; p99?: number; status?: number },
): Row {
  const ratio = sb.rps / ref.rps;
  const bad =
    sb.requests === 0 ||
    sb.errors > 0 ||
    Object.keys(sb.statuses).some((s) => s !== String(target.status ?? 200));
  const pass =
    !bad &&
    (target.ratio === undefined || ratio >= target.ratio) &&
    (target.p99 === undefined || sb.p99 < target.p99);
  const t = [
    target.ratio === undefined ? '' : `≥ ${Math.round(target.ratio * 100)} % of ref`,
    target.p99 === undefined ? '' : `p99 < ${target.p99} ms`,
  ]
    .filter(Boolean)
    .join(', ');
  console.log(
    `${`  reference (same bytes, ${sb.bytesPerResponse} B)`.padEnd(52)} ${rps(ref).padStart(13)}  p50 ${ms(ref.p50)}  p95 ${ms(ref.p95)}  p99 ${ms(ref.p99)} ms`,
  );
  const row: Row = {
    bench,
    case: name,
    db,
    throughput: rps(sb),
    p50: sb.p50,
    p95: sb.p95,
    p99: sb.p99,
    ratio,
    cpuUs: sb.cpuUsPerRequest,
    refCpuUs: ref.cpuUsPerRequest,
    target: t || '—',
    pass,
  };
  if (bad) console.log(`  ! errors ${sb.errors}, statuses ${JSON.stringify(sb.statuses)}`);
  emit(row);
  return row;
}
