import type { Redis } from 'ioredis';
import type { Clock } from '../../clock.js';
import { Unavailable } from '../../domain/errors.js';
import type { Idempotency, IdempotentResult } from '../live-state.js';
import type { Keys } from './keys.js';

const TTL_MS = 60_000;
/** Redis drops an entry this long after it was written whatever the clock says (garbage collection). */
const KEEP_MS = 10 * 60_000;
/** How long a duplicate waits for the first request's answer before giving up with `Unavailable`. */
const WAIT_MS = 30_000;

interface Entry {
  fp: string;
  at: number;
  state: 'running' | 'done';
  answer?: unknown;
}

/**
 * Claims the key unless a live entry (younger than the ttl on the caller's clock) holds it; returns that
 * entry, or nil when this request is the first. Atomic, so two nodes never both run the first.
 */
const BEGIN = `
local v = redis.call('GET', KEYS[1])
if v then
  local e = cjson.decode(v)
  if tonumber(ARGV[2]) - e.at < tonumber(ARGV[3]) then return v end
end
redis.call('SET', KEYS[1], ARGV[5], 'PX', ARGV[4])
return false
`;

/** Idempotency-Key answers in Redis: a retry that reaches another node gets the first node's answer. */
export class RedisIdempotency implements Idempotency {
  constructor(
    private readonly r: Redis,
    private readonly keys: Keys,
    private readonly clock: Clock,
    private readonly ttlMs = TTL_MS,
  ) {
    r.defineCommand('sbIdemBegin', { numberOfKeys: 1, lua: BEGIN });
  }

  async run<T>(
    key: string,
    fingerprint: string,
    fn: () => Promise<T>,
    keep: (answer: T) => boolean = () => true,
  ): Promise<IdempotentResult<T>> {
    const k = this.keys.idempotency(key);
    const giveUpAt = Date.now() + WAIT_MS;
    for (;;) {
      const now = this.clock.now();
      const mine: Entry = { fp: fingerprint, at: now, state: 'running' };
      const seen = await (
        this.r as Redis & { sbIdemBegin(...a: unknown[]): Promise<string | null> }
      ).sbIdemBegin(k, fingerprint, now, this.ttlMs, KEEP_MS, JSON.stringify(mine));
      if (seen === null) return this.first(k, mine, fn, keep);
      const entry = JSON.parse(seen) as Entry;
      if (entry.fp !== fingerprint) return { kind: 'mismatch' };
      if (entry.state === 'done') return { kind: 'replay', answer: entry.answer as T };
      // The first is still running (on this node or another): wait for its answer.
      if (Date.now() >= giveUpAt)
        throw new Unavailable('busy: the first request with this Idempotency-Key is still running');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async first<T>(
    k: string,
    mine: Entry,
    fn: () => Promise<T>,
    keep: (answer: T) => boolean,
  ): Promise<IdempotentResult<T>> {
    let answer: T;
    try {
      answer = await fn();
    } catch (err) {
      await this.r.del(k);
      throw err;
    }
    if (keep(answer)) await this.r.set(k, JSON.stringify({ ...mine, state: 'done', answer }), 'KEEPTTL');
    else await this.r.del(k);
    return { kind: 'first', answer };
  }
}
