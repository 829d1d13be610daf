import type { Clock } from '../clock.js';

/**
 * Fixed-window request counter per key. In-process; a multi-node deployment swaps in the Redis one
 * (same interface) so the limit holds across nodes.
 */
export interface RateLimiter {
  /** Returns 0 when the request may go on, otherwise seconds until the window resets. */
  hit(key: string): number;
}

/** `limit` requests per window of `windowMs` (a minute; the CCAI face counts per second). */
export function windowRateLimiter(clock: Clock, limit: number, windowMs = 60_000): RateLimiter {
  const counts = new Map<string, { start: number; count: number }>();
  return {
    hit(key) {
      if (limit <= 0) return 0;
      const now = clock.now();
      const start = now - (now % windowMs);
      let entry = counts.get(key);
      if (!entry || entry.start !== start) {
        if (counts.size > 50_000) counts.clear();
        entry = { start, count: 0 };
        counts.set(key, entry);
      }
      entry.count++;
      return entry.count > limit ? Math.ceil((start + windowMs - now) / 1000) : 0;
    },
  };
}
