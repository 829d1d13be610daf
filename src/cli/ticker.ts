import type { Client } from './client.js';

/**
 * How time passes while following a call. A manual server clock stands still unless moved, so the CLI
 * moves it a second per step; the real clock is polled. Elapsed time is measured on the clock that
 * drives the call, so the printed seconds match the server's call record.
 */
export interface Ticker {
  kind: 'manual' | 'system';
  /** Seconds since the ticker was made (just before the call is placed). */
  elapsed(): number;
  step(): Promise<void>;
}

const POLL_MS = 250;

export async function makeTicker(api: Client): Promise<Ticker> {
  const clock = await api.get<{ now: string; kind: 'manual' | 'system' }>('/sim/clock');
  if (clock.kind === 'manual') {
    const start = Date.parse(clock.now);
    let now = start;
    return {
      kind: 'manual',
      elapsed: () => (now - start) / 1000,
      step: async () => {
        const moved = await api.post<{ now: string }>('/sim/clock/advance', { seconds: 1 });
        now = Date.parse(moved.now);
      },
    };
  }
  const start = Date.now();
  return {
    kind: 'system',
    elapsed: () => (Date.now() - start) / 1000,
    step: () => new Promise((resolve) => setTimeout(resolve, POLL_MS)),
  };
}
