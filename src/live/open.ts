import type { Clock } from '../clock.js';
import type { LiveState } from './live-state.js';
import { localLiveState } from './local/index.js';

/** The live state the configuration asks for: on Redis when `REDIS_URL` is set, else in this process. */
export async function openLiveState(opts: {
  redisUrl: string | undefined;
  nodeId: string;
  clock: Clock;
}): Promise<LiveState> {
  if (!opts.redisUrl) return localLiveState(opts.clock, opts.nodeId);
  throw new Error('REDIS_URL: the Redis live state is not built yet');
}
