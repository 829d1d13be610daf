export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

/**
 * Exponential backoff with full jitter: a uniform pick in [0, min(cap, base·2^(n-1))) after the n-th failed
 * attempt. Full jitter spreads a burst of failures (one receiver down) instead of retrying them in lockstep.
 */
export function backoffDelay(failedAttempts: number, opts: BackoffOptions, random: () => number): number {
  const exp = Math.min(opts.capMs, opts.baseMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.floor(random() * exp);
}
