import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Outbox } from '../delivery/outbox.js';
import { type EventFilter, eventPath, parseEventFilter } from '../domain/event-filters.js';
import type { EventBus, EventOrigin, LiveEvent } from '../live/bus.js';
import type { Db } from '../store/db.js';
import { filtersOf, type SubscriptionRow, type SubscriptionService } from './subscriptions.js';
import type { LegRow, SessionView, TelephonySessionService } from './telephony-sessions.js';

/** How the face turns a session and one of its legs into notification bodies (kept in the face). */
export interface NotificationBodies {
  sessionBody(
    view: SessionView,
    leg: LegRow,
    sequence: number,
    eventTime: number,
    extensionId: number | null,
  ): unknown;
  presenceBody(
    view: SessionView,
    leg: LegRow,
    personId: number,
    sequence: number,
    f: EventFilter,
  ): Promise<unknown>;
}

/** Where WebSocket subscriptions' notifications go: the gateway session they are bound to. */
export interface WsDelivery {
  deliver(wsSession: string, envelope: unknown): boolean;
  /** Whether this node holds the gateway session (with several nodes, another node may). */
  holds(wsSession: string): boolean;
}

export interface NotifierDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  outbox: Outbox;
  sessions: TelephonySessionService;
  subscriptions: SubscriptionService;
  bodies: NotificationBodies;
  ws: WsDelivery;
  /** Several nodes share the bus (docs/nodes.md): sockets another node holds are left to it. */
  shared?: boolean;
}

const BOUND = 20_000;

/**
 * Turns the engine's leg transitions into RingCentral notifications: one per party status change, with a
 * sequence that increases per session, to every live subscription whose filter matches — WebHooks through
 * the durable outbox, WebSockets through their gateway session. Events are handled one at a time, in the
 * order the bus gave them.
 */
export class SubscriptionNotifier {
  private queue: Promise<void> = Promise.resolve();
  private readonly sequences = new Map<string, number>();
  private readonly lastStatus = new Map<string, string>();
  private stop?: () => void;

  constructor(private readonly deps: NotifierDeps) {}

  /**
   * Every node's events: a WebSocket is served by the node holding it whichever node ran the call, a
   * WebHook by the node that ran the call (so it is sent once).
   */
  start(): void {
    this.stop = this.deps.bus.subscribeAll((ev, origin) => this.onEvent(ev, origin));
  }

  close(): void {
    this.stop?.();
  }

  /** Resolves once every event seen so far has been handed to its transports. */
  idle(): Promise<void> {
    return this.queue;
  }

  private onEvent(ev: LiveEvent, origin: EventOrigin): void {
    if (ev.type !== 'leg.updated') return;
    if (this.lastStatus.get(ev.legId) === ev.status) return;
    remember(this.lastStatus, ev.legId, ev.status);
    const sequence = (this.sequences.get(ev.callUuid) ?? 0) + 1;
    remember(this.sequences, ev.callUuid, sequence);
    this.queue = this.queue
      .then(() => this.handle(ev, sequence, origin))
      .catch((err) => console.error('subscription notification failed', err));
  }

  private async handle(
    ev: Extract<LiveEvent, { type: 'leg.updated' }>,
    sequence: number,
    origin: EventOrigin,
  ): Promise<void> {
    const subs = (await this.deps.subscriptions.activeIn(ev.companyId)).filter((s) => this.mine(s, origin));
    if (subs.length === 0) return;
    const current = await this.deps.sessions.get(ev.companyId, ev.callUuid).catch(() => undefined);
    const found = current?.legs.find((l) => l.id === ev.legId);
    if (!current || !found) return;
    // The records may have moved on since the event (this runs after it): show the leg as the event saw it.
    const leg = { ...found, status: ev.status };
    const view = { ...current, legs: current.legs.map((l) => (l.id === leg.id ? leg : l)) };
    const owner = view.owners.get(leg.id);
    for (const sub of subs) {
      for (const raw of filtersOf(sub)) {
        const f = parseEventFilter(raw, { accountId: sub.company_id, extensionId: sub.person_id });
        if (!f || f.accountId !== ev.companyId) continue;
        // Extension-level filters hear only that extension's parties (as RingCentral's do).
        if (f.extensionId !== null && owner?.id !== f.extensionId) continue;
        let body: unknown;
        if (f.kind === 'sessions') {
          body = this.deps.bodies.sessionBody(view, leg, sequence, ev.at, f.extensionId);
        } else {
          if (!owner) continue;
          body = await this.deps.bodies.presenceBody(view, leg, owner.id, sequence, f);
        }
        await this.send(sub, eventPath(f), body);
      }
    }
  }

  /** WebHooks are sent for this node's calls; WebSockets for every call, by the node holding the socket. */
  private mine(sub: SubscriptionRow, origin: EventOrigin): boolean {
    if (sub.transport !== 'WebSocket') return origin === 'local';
    return !this.deps.shared || (!!sub.ws_session && this.deps.ws.holds(sub.ws_session));
  }

  private async send(sub: SubscriptionRow, event: string, body: unknown): Promise<void> {
    const uuid = randomUUID();
    const envelope = {
      uuid,
      event,
      timestamp: new Date(this.deps.clock.now()).toISOString(),
      subscriptionId: sub.id,
      ownerId: String(sub.person_id),
      body,
    };
    if (sub.transport === 'WebSocket') {
      if (sub.ws_session && !this.deps.ws.deliver(sub.ws_session, envelope))
        await this.deps.subscriptions.dropWsSession(sub.ws_session);
      return;
    }
    if (!sub.address) return;
    await this.deps.outbox.enqueue(this.deps.db, {
      companyId: sub.company_id,
      kind: 'webhook',
      url: sub.address,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope),
    });
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > BOUND) map.delete(map.keys().next().value!);
}
