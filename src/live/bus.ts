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
    };

export interface EventBus {
  publish(event: LiveEvent): void;
  subscribe(fn: (event: LiveEvent) => void): () => void;
}

/** In-process bus; a Redis-backed one replaces it when several nodes share the work. */
export class LocalBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: LiveEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(fn: (event: LiveEvent) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }
}
