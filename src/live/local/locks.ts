import { Unavailable } from '../../domain/errors.js';
import type { LockOptions, Locks } from '../live-state.js';

/** How long a caller waits for earlier holders by default (ms). */
export const LOCK_WAIT_MS = 10_000;

/**
 * Keyed locks in this process: holders of one key run one after the other, in arrival order. A waiter
 * that cannot start within `waitMs` gets `Unavailable` and lets the next one go, so a stuck holder
 * blocks a key for at most that long (a Redis lock's expiry does the same across nodes). Wall-clock:
 * it guards against a stuck holder, it is not a business rule. No timer runs unless holders queue.
 */
export class LocalLocks implements Locks {
  private readonly tails = new Map<string, Promise<void>>();

  async withLock<T>(key: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
    const before = this.tails.get(key);
    let done!: () => void;
    const mine = new Promise<void>((r) => {
      done = r;
    });
    this.tails.set(key, mine);
    try {
      if (before) await turn(before, opts.waitMs ?? LOCK_WAIT_MS, key);
      return await fn();
    } finally {
      done();
      if (this.tails.get(key) === mine) this.tails.delete(key);
    }
  }
}

async function turn(before: Promise<void>, waitMs: number, key: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), waitMs);
  });
  try {
    if ((await Promise.race([before.then(() => true as const), late])) === false)
      throw new Unavailable(`busy: the ${key.split(':')[0]} lock is held too long`);
  } finally {
    clearTimeout(timer);
  }
}
