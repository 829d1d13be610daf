/**
 * The load generator, run in its own process (`fork` from load.ts) so its CPU is not the server's event
 * loop. Closed loop (`connections` requests in flight, like autocannon) or open loop (`rate` requests a
 * second whatever the answers, latency counted from when each request was due, so a stalled server
 * cannot hide its queue: no coordinated omission).
 */
import { Pool } from 'undici';
import type { LoadOptions, LoadResult } from './load.js';

const opts = JSON.parse(process.env.BENCH_LOAD_OPTIONS!) as LoadOptions;

function summarize(
  latencies: number[],
  elapsedMs: number,
  errors: number,
  statuses: Record<string, number>,
  bytes: number,
): LoadResult {
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies.length
      ? latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]
      : Number.NaN;
  return {
    requests: latencies.length,
    rps: latencies.length / (elapsedMs / 1000),
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    max: latencies.length ? latencies[latencies.length - 1] : Number.NaN,
    errors,
    statuses,
    bytesPerResponse: latencies.length ? Math.round(bytes / latencies.length) : 0,
    cpuUsPerRequest: 0, // filled in by the parent, which is the server
  };
}

async function main(): Promise<LoadResult> {
  const pool = new Pool(opts.url, { connections: opts.connections, pipelining: 1 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let bytes = 0;
  let n = 0;
  const start = performance.now();
  const warmEnd = start + opts.warmupSeconds * 1000;
  const end = warmEnd + opts.seconds * 1000;

  const one = async (i: number, dueAt: number) => {
    // `{n}` in a path or body becomes the request's number (`{n6}`: six digits, for phone numbers); with repeatEvery = k,
    // every k-th request reuses the number before it (a repeat caller).
    const k = opts.repeatEvery;
    const num = k && i % k === k - 1 ? i - 1 : i;
    const fill = (s: string) =>
      s.replaceAll('{n}', String(num)).replaceAll('{n6}', String(num % 1e6).padStart(6, '0'));
    const path = fill(opts.paths[i % opts.paths.length]);
    try {
      const res = await pool.request({
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        body: opts.body === undefined ? undefined : fill(opts.body),
        // A request still unanswered this long after the run counts as an error, not as a latency.
        headersTimeout: opts.seconds * 1000 + 30_000,
        bodyTimeout: 30_000,
      });
      const buf = Buffer.from(await res.body.arrayBuffer());
      const done = performance.now();
      if (dueAt >= warmEnd) {
        latencies.push(done - dueAt);
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        bytes += buf.length;
      }
    } catch {
      if (dueAt >= warmEnd) errors++;
    }
  };

  if (opts.rate) {
    const rate = opts.rate;
    const inFlight = new Set<Promise<void>>();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        const due = Math.floor(((Math.min(now, end) - start) / 1000) * rate);
        while (n < due) {
          const dueAt = start + (n / rate) * 1000;
          const p = one(n++, dueAt);
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
        }
        if (now < end) setTimeout(tick, 1);
        else resolve();
      };
      tick();
    });
    await Promise.all(inFlight);
  } else {
    const worker = async () => {
      while (performance.now() < end) await one(n++, performance.now());
    };
    await Promise.all(Array.from({ length: opts.connections }, worker));
  }
  await pool.close();
  return summarize(latencies, end - warmEnd, errors, statuses, bytes);
}

main().then(
  (result) => process.send!(result, () => process.exit(0)),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
