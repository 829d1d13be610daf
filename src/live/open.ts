import type { Clock } from '../clock.js';
import type { LiveState } from './live-state.js';
import { localLiveState } from './local/index.js';

/** The live state the configuration asks for: on Redis when `REDIS_URL` is set, else in this process. */
export async function openLiveState(opts: {
  redisUrl: string | undefined;
  redisPrefix?: string;
  nodeId: string;
  clock: Clock;
  onError?: (err: unknown) => void;
}): Promise<LiveState> {
  if (!opts.redisUrl) return localLiveState(opts.clock, opts.nodeId);
  // Loaded only when asked for: a single node never opens a Redis connection.
  const { redisLiveState } = await import('./redis/index.js');
  return redisLiveState({
    url: opts.redisUrl,
    prefix: opts.redisPrefix,
    nodeId: opts.nodeId,
    clock: opts.clock,
    onError: opts.onError,
  });
}
