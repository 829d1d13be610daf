import type { Redis } from 'ioredis';
import { type LiveEvent, LocalBus } from '../bus.js';
import type { Keys } from './keys.js';

/**
 * The bus across nodes: every event is handed to this node's listeners at once and published on the
 * `events` channel; the other nodes hand it to their `subscribeAll` listeners. Redis pub/sub, not a
 * stream: what listens to other nodes' events is live (dashboards, sockets) and has nothing to catch
 * up on after a reconnect; what must not miss an event listens on the node that made it.
 */
export class RedisBus extends LocalBus {
  constructor(
    private readonly pub: Redis,
    private readonly keys: Keys,
    private readonly nodeId: string,
    private readonly onError: (err: unknown) => void,
  ) {
    super();
  }

  override publish(event: LiveEvent): void {
    super.publish(event);
    this.pub.publish(this.keys.events, JSON.stringify({ from: this.nodeId, event })).catch(this.onError);
  }

  /** A message of the `events` channel (the subscriber connection hands it here). */
  received(message: string): void {
    const { from, event } = JSON.parse(message) as { from: string; event: LiveEvent };
    if (from !== this.nodeId) this.emitter.emit('all', event, 'remote');
  }
}
