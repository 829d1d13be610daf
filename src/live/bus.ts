import { EventEmitter } from 'node:events';

/** Every call and leg transition the engine makes, for the dashboard, subscriptions and webhooks. */
export type LiveEvent =
  /** A step of the call's journey with its details (call-flow events: docs/call-flow-events.md). */
  | { type: 'call.flow'; companyId: number; callUuid: string; at: number; event: string; details: object }
  | { type: 'call.started'; companyId: number; callUuid: string; at: number; caller: string; number: string }
  | { type: 'call.updated'; companyId: number; callUuid: string; at: number; status: string; step: string }
  | {
      type: 'call.ended';
      companyId: number;
      callUuid: string;
      at: number;
      status: string;
      hungUpBy: string | null;
      /** Why, when the status and who hung up do not say it (`no key pressed`, a telephony failure). */
      reason?: string;
    }
  | {
      type: 'leg.updated';
      companyId: number;
      callUuid: string;
      legId: string;
      at: number;
      direction: 'inbound' | 'outbound';
      status: string;
      to: string;
      /** Why the leg ended, when that says more than its status (`ring timeout`, `originate failed: …`). */
      reason?: string;
    };

/**
 * Live events. With several nodes there are two kinds of listener:
 * - `subscribe`: the events of calls this node runs. Each event reaches exactly one node this way,
 *   so listeners that write or send something per event (call-flow records, RingCentral WebHook
 *   notifications) do it once across the deployment.
 * - `subscribeAll`: every node's events, for what watches everything from one node (a dashboard's
 *   event stream, a WebSocket held by this node).
 * In one process the two are the same.
 */
export interface EventBus {
  publish(event: LiveEvent): void;
  subscribe(fn: (event: LiveEvent) => void): () => void;
  subscribeAll(fn: (event: LiveEvent, origin: EventOrigin) => void): () => void;
}

/** Whether an event was made by a call of this node or came from another node. */
export type EventOrigin = 'local' | 'remote';

/** In-process bus; the Redis one (`redis/bus.ts`) also carries every node's events to `subscribeAll`. */
export class LocalBus implements EventBus {
  protected readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: LiveEvent): void {
    this.emitter.emit('local', event);
    this.emitter.emit('all', event, 'local');
  }

  subscribe(fn: (event: LiveEvent) => void): () => void {
    this.emitter.on('local', fn);
    return () => this.emitter.off('local', fn);
  }

  subscribeAll(fn: (event: LiveEvent, origin: EventOrigin) => void): () => void {
    this.emitter.on('all', fn);
    return () => this.emitter.off('all', fn);
  }
}
