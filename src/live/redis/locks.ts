import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Unavailable } from '../../domain/errors.js';
import type { LockOptions, Locks } from '../live-state.js';
import { LocalLocks } from '../local/locks.js';
import type { Keys } from './keys.js';

const TTL_MS = 10_000;
const WAIT_MS = 10_000;

/** Deletes the lock only if it is still ours (it may have expired and gone to another holder). */
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Keyed locks on Redis: `SET key token NX PX ttl`, released by a compare-and-delete script. A holder
 * that dies frees the key after `ttlMs`. Waiters poll with a short growing pause (2 ms up to 25 ms):
 * the locks guard one caller's pings, held for milliseconds. Waiters of one node queue in the node
 * first, so only one of them at a time polls Redis: twenty waiters polling one key starved each
 * other (backing off to 25 ms while the key passed between the others) until some gave up.
 */
export class RedisLocks implements Locks {
  private readonly local = new LocalLocks();

  constructor(
    private readonly r: Redis,
    private readonly keys: Keys,
  ) {
    r.defineCommand('sbUnlock', { numberOfKeys: 1, lua: UNLOCK });
  }

  withLock<T>(key: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
    const waitMs = opts.waitMs ?? WAIT_MS;
    const giveUpAt = Date.now() + waitMs;
    return this.local.withLock(key, () => this.shared(key, fn, opts.ttlMs ?? TTL_MS, giveUpAt), { waitMs });
  }

  private async shared<T>(key: string, fn: () => Promise<T>, ttl: number, giveUpAt: number): Promise<T> {
    const k = this.keys.lock(key);
    const token = randomUUID();
    for (let pause = 2; ; pause = Math.min(25, pause * 2)) {
      if ((await this.r.set(k, token, 'PX', ttl, 'NX')) === 'OK') break;
      if (Date.now() >= giveUpAt)
        throw new Unavailable(`busy: the ${key.split(':')[0]} lock is held too long`);
      await new Promise((r) => setTimeout(r, pause));
    }
    try {
      return await fn();
    } finally {
      // Not awaited: the next holder's SET goes down the same connection after it, so Redis runs the
      // release first; the answer need not wait a round trip for it. A failed release expires.
      (this.r as Redis & { sbUnlock(k: string, t: string): Promise<number> })
        .sbUnlock(k, token)
        .catch(() => undefined);
    }
  }
}
