import type { Clock } from '../clock.js';
import { CallControlError, type KeyScope } from '../domain/call-control.js';
import type { EventBus } from '../live/bus.js';
import type { Occupancy } from '../live/occupancy.js';
import type { Db } from '../store/db.js';
import type { DriverEvent, LegId, TelephonyDriver } from '../telephony/driver.js';
import { type CallPatch, type CallRecord, type LegPatch, updateLeg } from './call-record.js';
import type { FetchPing } from './dynamic-buyer.js';
import type { InboundContext } from './flow-config.js';
import { CallPixels, type PixelDeps } from './pixels.js';
import { CallWebhooks, type WebhookDeps } from './webhooks.js';

export interface EngineDeps {
  db: Db;
  clock: Clock;
  driver: TelephonyDriver;
  bus: EventBus;
  occupancy: Occupancy;
  random: () => number;
  ratePerMinute: number;
  pixels: PixelDeps;
  webhooks: WebhookDeps;
  /** Asks a dynamic buyer's campaign for its number (docs/compat.md "Dynamic buyers"). */
  fetchPing: FetchPing;
}

/** Thrown inside a call's script when the caller hangs up, so every step unwinds and cleans up. */
export class CallerHungUp extends Error {
  constructor() {
    super('caller hung up');
  }
}

/** A call-control request for a live call, answered by the connected phase of its script. */
export type Command =
  | { kind: 'transfer'; scope: KeyScope; holdCaller: boolean; transferTo: string }
  | { kind: 'conference_caller'; scope: KeyScope; transferUuid: string }
  | { kind: 'stop_transfer'; scope: KeyScope; transferUuid: string }
  | { kind: 'return'; scope: KeyScope }
  | { kind: 'accept'; scope: KeyScope };

export interface CommandEvent {
  type: 'command';
  command: Command;
  reply: (err: Error | null, result?: unknown) => void;
}

export type SessionEvent = DriverEvent | CommandEvent;

interface Waiter {
  match: (ev: SessionEvent) => boolean;
  resolve: (ev: SessionEvent | 'timeout') => void;
  reject: (err: Error) => void;
  allowCallerHangup: boolean;
  cancelTimer?: () => void;
}

/** Hooks the engine gives each session: leg ownership and "is anybody working" accounting. */
export interface SessionHost {
  ownLeg(leg: LegId, session: CallSession): void;
  ownTransfer(transferUuid: string, session: CallSession): void;
  working(delta: 1 | -1): void;
}

/**
 * One live call: its record, its legs, and the queue of driver events its script waits on. The script
 * itself (screen → menu → route → connect) lives in `run-call.ts` and the steps beside it.
 */
export class CallSession {
  readonly keysPressed: string[] = [];
  tags: Record<string, string> = {};
  callerNumberSent: string | null = null;
  callerGone = false;
  /** The transfer that held the caller when the caller hung up (call control's "caller hung up"). */
  callerLeftOnHold: string | null = null;
  /** A claimed RTB reservation: its buyer is dialed first and its ping's tags join the call's. */
  reservation: { targetId: number | null; tags: Record<string, string>; only?: boolean } | undefined;
  /** Commands are taken only once the caller is connected to someone. */
  phase: 'routing' | 'connected' | 'ended' = 'routing';
  private queue: SessionEvent[] = [];
  readonly pixels: CallPixels;
  readonly webhooks: CallWebhooks;
  /** Pixels and webhooks share one `fired_pixels` sequence per call. */
  private fireOrder = 0;
  private waiter: Waiter | undefined;

  constructor(
    readonly deps: EngineDeps,
    private readonly host: SessionHost,
    readonly uuid: string,
    readonly inLeg: LegId,
    readonly caller: string,
    readonly ctx: InboundContext,
    readonly record: CallRecord,
  ) {
    this.pixels = new CallPixels(this, deps.pixels, ctx.flow.timers);
    this.webhooks = new CallWebhooks(this, deps.webhooks);
  }

  get companyId(): number {
    return this.ctx.companyId;
  }

  now(): number {
    return this.deps.clock.now();
  }

  nextFireOrder(): number {
    return this.fireOrder++;
  }

  ownLeg(leg: LegId): void {
    this.host.ownLeg(leg, this);
  }

  registerTransfer(transferUuid: string): void {
    this.host.ownTransfer(transferUuid, this);
  }

  /** Why the platform ended this call itself (shutdown): the record then says `system`, not `caller`. */
  endedBySystem: string | undefined;

  /**
   * Ends the call from outside its script: the caller's leg goes down and the script unwinds as on a
   * caller's hang-up; `finish` records the system as the party that hung up, with this reason.
   */
  endBySystem(reason: string): void {
    if (this.phase === 'ended' || this.endedBySystem) return;
    this.endedBySystem = reason;
    this.deliver({ type: 'hangup', leg: this.inLeg, by: 'system' });
  }

  /** The call is over: commands still waiting get the answer a finished call gets. */
  close(): void {
    this.phase = 'ended';
    for (const ev of this.queue) if (ev.type === 'command') ev.reply(new CallControlError('call not live'));
    this.queue = [];
  }

  /** Updates the call record and tells live listeners (dashboard, subscriptions, webhooks). */
  async save(patch: CallPatch, step: string): Promise<void> {
    const at = this.now();
    await this.record.save(patch, at);
    this.deps.bus.publish({
      type: 'call.updated',
      companyId: this.companyId,
      callUuid: this.uuid,
      at,
      status: String(this.record.row.status),
      step,
    });
  }

  /** Records a leg transition and publishes it. */
  async legChanged(
    leg: LegId,
    direction: 'inbound' | 'outbound',
    to: string,
    patch: LegPatch,
  ): Promise<void> {
    await updateLeg(this.deps.db, leg, patch);
    this.announceLeg(leg, direction, to, patch.status);
  }

  /** Publishes a leg's state to live listeners (the record is written by the caller). */
  announceLeg(leg: LegId, direction: 'inbound' | 'outbound', to: string, status: string): void {
    this.deps.bus.publish({
      type: 'leg.updated',
      companyId: this.companyId,
      callUuid: this.uuid,
      legId: leg,
      at: this.now(),
      direction,
      status,
      to,
    });
  }

  /** A step of the call's journey for its call-flow events (recorded off the call's path, batched). */
  flow(event: string, details: object): void {
    this.deps.bus.publish({
      type: 'call.flow',
      companyId: this.companyId,
      callUuid: this.uuid,
      at: this.now(),
      event,
      details,
    });
  }

  /** Hands a call-control request to the live script and resolves with its answer. */
  command(command: Command): Promise<unknown> {
    if (this.phase !== 'connected' || this.callerGone)
      return Promise.reject(new CallControlError('call not live'));
    return new Promise((resolve, reject) =>
      this.deliver({
        type: 'command',
        command,
        reply: (err, result) => (err ? reject(err) : resolve(result)),
      }),
    );
  }

  deliver(ev: SessionEvent): void {
    if (ev.type === 'hangup' && ev.leg === this.inLeg) this.callerGone = true;
    const w = this.waiter;
    if (w?.match(ev)) {
      this.wake(() => w.resolve(ev));
      return;
    }
    if (w && this.callerGone && !w.allowCallerHangup) {
      this.wake(() => w.reject(new CallerHungUp()));
      return;
    }
    this.queue.push(ev);
    if (this.queue.length > 200) this.queue.shift();
  }

  /**
   * The next event that matches, or 'timeout'. Throws CallerHungUp once the caller has gone, unless the
   * step asked to see that hangup itself.
   */
  waitFor(
    match: (ev: SessionEvent) => boolean,
    opts: { timeoutMs?: number; allowCallerHangup?: boolean } = {},
  ): Promise<SessionEvent | 'timeout'> {
    const i = this.queue.findIndex(match);
    if (i !== -1) return Promise.resolve(this.queue.splice(i, 1)[0]);
    if (this.callerGone && !opts.allowCallerHangup) return Promise.reject(new CallerHungUp());
    return new Promise((resolve, reject) => {
      const w: Waiter = { match, resolve, reject, allowCallerHangup: opts.allowCallerHangup ?? false };
      if (opts.timeoutMs !== undefined) {
        w.cancelTimer = this.deps.clock.schedule(opts.timeoutMs, () => {
          if (this.waiter === w) this.wake(() => w.resolve('timeout'));
        });
      }
      this.waiter = w;
      this.host.working(-1);
    });
  }

  /** Ends a wait: the script runs again, so the engine counts it as working. */
  private wake(fn: () => void): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.cancelTimer?.();
    this.host.working(1);
    fn();
  }
}
