import type { Clock } from '../../clock.js';
import { LocalBus } from '../bus.js';
import type { LiveState } from '../live-state.js';
import { LocalCallRegistry } from './calls.js';
import { LocalIdempotency } from './idempotency.js';
import { LocalLeases } from './leases.js';
import { LocalLinks } from './links.js';
import { LocalLocks } from './locks.js';
import { LocalRateLimits } from './rate-limits.js';

/** The live state of a single process (no `REDIS_URL`): everything in memory, nothing shared. */
export interface LocalLiveState extends LiveState {
  readonly leases: LocalLeases;
  readonly bus: LocalBus;
}

export function localLiveState(clock: Clock, nodeId: string): LocalLiveState {
  return {
    nodeId,
    shared: false,
    leases: new LocalLeases(),
    calls: new LocalCallRegistry(nodeId),
    locks: new LocalLocks(),
    idempotency: new LocalIdempotency(clock),
    rateLimits: new LocalRateLimits(clock),
    bus: new LocalBus(),
    links: new LocalLinks(nodeId),
    async close() {},
  };
}
