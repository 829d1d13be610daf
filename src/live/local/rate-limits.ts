import type { Clock } from '../../clock.js';
import type { RateLimits } from '../live-state.js';

/** Fixed one-minute windows per key, counted in this process. */
export class LocalRateLimits implements RateLimits {
  private readonly counts = new Map<string, { start: number; count: number }>();

  constructor(private readonly clock: Clock) {}

  async hit(key: string, limitPerMinute: number): Promise<number> {
    if (limitPerMinute <= 0) return 0;
    const windowMs = 60_000;
    const now = this.clock.now();
    const start = now - (now % windowMs);
    let entry = this.counts.get(key);
    if (!entry || entry.start !== start) {
      if (this.counts.size > 50_000) this.counts.clear();
      entry = { start, count: 0 };
      this.counts.set(key, entry);
    }
    entry.count++;
    return entry.count > limitPerMinute ? Math.ceil((start + windowMs - now) / 1000) : 0;
  }
}
