import { Redis } from 'ioredis';
import type { Clock } from '../../clock.js';
import type { LiveState } from '../live-state.js';
import { RedisBus } from './bus.js';
import { RedisCallRegistry } from './calls.js';
import { RedisIdempotency } from './idempotency.js';
import { Keys } from './keys.js';
import { RedisLeases } from './leases.js';
import { RedisLinks } from './links.js';
import { RedisLocks } from './locks.js';
import { RedisRateLimits } from './rate-limits.js';

export interface RedisLiveOptions {
  url: string;
  nodeId: string;
  clock: Clock;
  /** Key and channel prefix (`REDIS_PREFIX`, default `sb:`); tests give each app its own. */
  prefix?: string;
  onError?: (err: unknown) => void;
}

/**
 * The live state on Redis (`REDIS_URL`): two connections per node, one for commands and publishing,
 * one subscribed to the `events` channel and to this node's inbox. Opening waits for both.
 */
export async function redisLiveState(opts: RedisLiveOptions): Promise<LiveState> {
  const keys = new Keys(opts.prefix ?? 'sb:');
  const onError = opts.onError ?? (() => {});
  const cmd = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  const sub = new Redis(opts.url, { lazyConnect: true });
  cmd.on('error', onError);
  sub.on('error', onError);
  await Promise.all([cmd.connect(), sub.connect()]);
  const bus = new RedisBus(cmd, keys, opts.nodeId, onError);
  const links = new RedisLinks(cmd, keys, opts.nodeId, onError);
  const inbox = keys.inbox(opts.nodeId);
  sub.on('message', (channel: string, message: string) => {
    try {
      if (channel === keys.events) bus.received(message);
      else if (channel === inbox) links.received(message);
    } catch (err) {
      onError(err);
    }
  });
  await sub.subscribe(keys.events, inbox);
  return {
    nodeId: opts.nodeId,
    shared: true,
    leases: new RedisLeases(cmd, keys, opts.nodeId),
    calls: new RedisCallRegistry(cmd, keys, opts.nodeId),
    locks: new RedisLocks(cmd, keys),
    idempotency: new RedisIdempotency(cmd, keys, opts.clock),
    rateLimits: new RedisRateLimits(cmd, keys, opts.clock),
    bus,
    links,
    async close() {
      sub.disconnect();
      await cmd.quit().catch(() => cmd.disconnect());
    },
  };
}
