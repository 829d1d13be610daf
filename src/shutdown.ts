import type { App } from './app.js';

/** The reason recorded on the caller's leg of every call still live when the drain time is up. */
export const SHUTDOWN_REASON = 'server shutting down';
/** Ending the rest and flushing deliveries may take this long before the process gives up on them. */
const FINAL_STEPS_MS = 15_000;

export interface ShutdownReport {
  /** Calls live when the signal came. */
  live: number;
  /** Of those, the ones that ended by themselves during the drain. */
  finished: number;
  /** The ones ended with SHUTDOWN_REASON once the drain time was up. */
  ended: number;
}

/**
 * A clean stop: no new calls or API requests (503, `/healthz` draining), live calls may finish for
 * `drainMs`, the rest end as the system's hang-up with a reason (their records, end pixels and webhooks
 * written), in-flight deliveries settle (pending ones stay in the outbox for the next start), and the
 * database closes.
 */
export async function shutdown(app: App, drainMs: number): Promise<ShutdownReport> {
  const live = app.engine.liveCalls();
  app.drain();
  await untilNoLiveCalls(app, drainMs);
  const left = app.engine.liveCalls();
  if (left > 0) await within(FINAL_STEPS_MS, app.engine.endAll(SHUTDOWN_REASON), 'ending live calls');
  await within(FINAL_STEPS_MS, app.close(), 'closing the server, deliveries and database');
  return { live, finished: Math.max(0, live - left), ended: left };
}

/**
 * Waits for live calls to end by themselves, at most `ms` of the app's clock — or of real time, so a
 * server on the manual clock (whose time moves only on request) still stops.
 */
function untilNoLiveCalls(app: App, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const cancelClock = app.clock.schedule(ms, () => done());
    const realTimer = setTimeout(() => done(), ms);
    const poll = setInterval(() => {
      if (app.engine.liveCalls() === 0) done();
    }, 50);
    function done() {
      cancelClock();
      clearTimeout(realTimer);
      clearInterval(poll);
      resolve();
    }
    if (app.engine.liveCalls() === 0) done();
  });
}

async function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
