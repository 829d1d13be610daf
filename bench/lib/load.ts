import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LoadOptions {
  /** Origin, e.g. http://127.0.0.1:1234 */
  url: string;
  /** Request paths, used in turn; `{n}` (here and in `body`) is replaced by the request's number. */
  paths: string[];
  /** Every k-th request reuses the previous request's `{n}`. */
  repeatEvery?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Keep-alive connections (closed loop: also the number of requests in flight). */
  connections: number;
  /** Open loop: requests per second, sent on schedule whatever the answers. */
  rate?: number;
  seconds: number;
  warmupSeconds: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
  statuses: Record<string, number>;
  bytesPerResponse: number;
  /** CPU time the calling process (the server under test) spent per answered request, in µs. */
  cpuUsPerRequest: number;
}

const CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));

/** Runs one load in a child process (real sockets, its own CPU time) and returns its figures. */
export function load(opts: Partial<LoadOptions> & Pick<LoadOptions, 'url' | 'paths'>): Promise<LoadResult> {
  const full: LoadOptions = {
    connections: 10,
    seconds: Number(process.env.BENCH_SECONDS ?? 5),
    warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 1),
    ...opts,
  };
  const cpu0 = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const child = fork(CLIENT, [], {
      env: { ...process.env, BENCH_LOAD_OPTIONS: JSON.stringify(full) },
      execArgv: process.execArgv,
    });
    let result: LoadResult | undefined;
    child.on('message', (m) => {
      result = m as LoadResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!result) return reject(new Error(`load client exited with ${code} and no result`));
      // Over IPC a NaN arrives as null.
      for (const k of ['p50', 'p95', 'p99', 'max'] as const) result[k] ??= Number.NaN;
      const cpu = process.cpuUsage(cpu0);
      // Includes the warm-up requests the latencies leave out, so it is a bit high for short runs.
      result.cpuUsPerRequest = (cpu.user + cpu.system) / Math.max(1, result.requests);
      resolve(result);
    });
  });
}
