import type { Clock } from '../../clock.js';
import type { Idempotency, IdempotentResult } from '../live-state.js';

/**
 * Remembers the answers to requests sent with an `Idempotency-Key`, so a client retrying after a lost
 * response does not transfer a call twice. In-process and bounded; entries live `ttlMs` from the first
 * request. A duplicate arriving while the first is still running waits for the first's answer.
 */
export interface IdempotencyOptions {
  ttlMs?: number;
  maxEntries?: number;
}

interface Entry {
  at: number;
  /** What the first request was (method and path): the key may not be reused for another one. */
  fingerprint: string;
  answer: Promise<unknown>;
}

export class LocalIdempotency implements Idempotency {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly clock: Clock,
    opts: IdempotencyOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
  }

  /**
   * Runs `fn` once per live key. `keep(answer)` says whether the answer may be replayed (a server fault
   * should be retried for real, not replayed); a thrown error is never kept.
   */
  async run<T>(
    key: string,
    fingerprint: string,
    fn: () => Promise<T>,
    keep: (answer: T) => boolean = () => true,
  ): Promise<IdempotentResult<T>> {
    this.prune();
    const seen = this.entries.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) return { kind: 'mismatch' };
      return { kind: 'replay', answer: (await seen.answer) as T };
    }
    const answer = fn();
    const entry: Entry = { at: this.clock.now(), fingerprint, answer };
    this.entries.set(key, entry);
    this.evictOverflow();
    const forget = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    try {
      const value = await answer;
      if (!keep(value)) forget();
      return { kind: 'first', answer: value };
    } catch (err) {
      forget();
      throw err;
    }
  }

  size(): number {
    return this.entries.size;
  }

  /** Entries were inserted in time order, so the expired ones are at the front. */
  private prune(): void {
    const cutoff = this.clock.now() - this.ttlMs;
    for (const [key, entry] of this.entries) {
      if (entry.at > cutoff) break;
      this.entries.delete(key);
    }
  }

  private evictOverflow(): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
