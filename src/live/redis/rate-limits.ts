import type { Redis } from 'ioredis';
import type { Clock } from '../../clock.js';
import type { RateLimits } from '../live-state.js';
import type { Keys } from './keys.js';

/** Fixed one-minute windows per key, counted in Redis so the limit holds across nodes. */
export class RedisRateLimits implements RateLimits {
  constructor(
    private readonly r: Redis,
    private readonly keys: Keys,
    private readonly clock: Clock,
  ) {}

  async hit(key: string, limitPerMinute: number): Promise<number> {
    if (limitPerMinute <= 0) return 0;
    const windowMs = 60_000;
    const now = this.clock.now();
    const start = now - (now % windowMs);
    const k = this.keys.rate(key, start);
    const [[, count]] = (await this.r
      .multi()
      .incr(k)
      .pexpire(k, 2 * windowMs)
      .exec()) as [[unknown, number]];
    return count > limitPerMinute ? Math.ceil((start + windowMs - now) / 1000) : 0;
  }
}
