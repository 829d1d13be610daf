import type { Clock } from '../clock.js';
import { CallControlError, type KeyScope } from '../domain/call-control.js';
import type { InboundContext } from '../domain/flow.js';
import type { EventBus } from '../live/bus.js';
import type { LiveState } from '../live/live-state.js';
import type { Logger } from '../logger.js';
import type { CallStore } from '../store/call-store.js';
import type { CommandId, DriverEvent, LegId, TelephonyDriver } from '../telephony/driver.js';
import type { CallPatch, CallRecord, LegPatch } from './call-record.js';
import { newCommandId, Telephony } from './commands.js';
import type { FetchPing } from './dynamic-buyer.js';
import { CallPixels, type PixelDeps } from './pixels.js';
import { CallWebhooks, type WebhookDeps } from './webhooks.js';

export interface EngineDeps {
  /** The engine's only way to the database (DESIGN.md §1). */
  store: CallStore;
  clock: Clock;
  driver: TelephonyDriver;
  logger: Logger;
  bus: EventBus;
  /** Leases, call ownership, node links: the live state (in-process, or shared across nodes). */
  live: LiveState;
  /** This process among those sharing the database: its live calls are marked with it. */
  processId: string;
  random: () => number;
  ratePerMinute: number;
  /** Hard limit on a call's length (configuration `MAX_CALL_SECONDS`). */
  maxCallSeconds: number;
  pixels: PixelDeps;
  webhooks: WebhookDeps;
  /** Asks a dynamic buyer's campaign for its number (docs/compat.md "Dynamic buyers"). */
  fetchPing: FetchPing;
}

/**
 * Thrown inside a call's script when the call must end now (the caller hung up, the call reached its
 * length limit), so every step unwinds and cleans up.
 */
export class CallAborted extends Error {
  constructor(
    readonly by: 'caller' | 'system',
    readonly reason: string,
  ) {
    super(reason);
  }
}

export class CallerHungUp extends CallAborted {
  constructor() {
    super('caller', 'caller hung up');
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

/**
 * A ringing phone's call sent to another number instead (RingCentral's forward): the dial step ringing
 * `leg` cancels it and rings `to` in its place.
 */
export interface ForwardEvent {
  type: 'forward';
  leg: LegId;
  to: string;
}

export type SessionEvent = DriverEvent | CommandEvent | ForwardEvent;

/** Events kept for a later wait; past this the oldest unimportant one is dropped, with a warning. */
const MAX_QUEUED = 200;
/** Event types that answer a command for good: later events echoing that command are stale. */
const COMPLETES = new Set(['answered', 'busy', 'noAnswer', 'failed', 'playDone', 'recordingReady']);

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
  /** The legs the running dial step rings now (by leg): the ones a forward or an answer can act on. */
  ringing: ReadonlyMap<LegId, unknown> | undefined;
  /** Commands are taken only once the caller is connected to someone. */
  phase: 'routing' | 'connected' | 'ended' = 'routing';
  private queue: SessionEvent[] = [];
  /** Set once the call must end (caller gone, length limit): every wait then rejects with it. */
  aborted: CallAborted | undefined;
  /** Legs of this call still up or ringing: events for any other leg are dropped. */
  private readonly legs = new Set<LegId>();
  /** Commands whose completion event is still expected: events echoing any other command are stale. */
  private readonly expecting = new Set<CommandId>();
  readonly pixels: CallPixels;
  readonly tel: Telephony;
  readonly webhooks: CallWebhooks;
  /** Pixels and webhooks share one `fired_pixels` sequence per call. */
  private fireOrder = 0;
  private waiters: Waiter[] = [];

  /**
   * The leg whose hang-up ends the call: the caller's on an incoming call. A placed call has none until
   * its first leg answers (`anchorOn`); until then it holds a placeholder no network event names, so
   * only the engine itself (shutdown, length limit) can end the call through it.
   */
  inLeg: LegId;
  /** Whether `inLeg` is a real leg of the network (false for a placed call before leg A answered). */
  anchored = true;
  /** Direction of `inLeg`: a placed call's anchor is a leg the platform dialed. */
  inDirection: 'inbound' | 'outbound' = 'inbound';

  constructor(
    readonly deps: EngineDeps,
    private readonly host: SessionHost,
    readonly uuid: string,
    inLeg: LegId,
    readonly caller: string,
    readonly ctx: InboundContext,
    readonly record: CallRecord,
  ) {
    this.inLeg = inLeg;
    this.tel = new Telephony(deps.driver, deps.clock, deps.logger, (d) => this.working(d));
    this.tel.onHold = (leg, held) => this.holdChanged(leg, held);
    this.legs.add(inLeg);
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

  /** A call resumed after a restart goes on numbering after what it had already fired. */
  resumeFireOrder(next: number): void {
    this.fireOrder = Math.max(this.fireOrder, next);
  }

  ownLeg(leg: LegId): void {
    this.legs.add(leg);
    this.host.ownLeg(leg, this);
  }

  /**
   * A placed call's first leg answered: from now on its hang-up ends the call, as a caller's does. A
   * hang-up the engine asked for before (shutdown) carries over to the real leg.
   */
  anchorOn(leg: LegId): void {
    this.legs.delete(this.inLeg);
    this.inLeg = leg;
    this.anchored = true;
    this.legs.add(leg);
    // Hung up while the other dials of its offer were being cancelled: the event waits in the queue.
    if (this.queue.some((e) => e.type === 'hangup' && e.leg === leg)) {
      this.callerGone = true;
      this.aborted ??= new CallerHungUp();
    }
  }

  /** Whether the leg is still one of this call's (up or ringing). */
  hasLeg(leg: LegId): boolean {
    return this.legs.has(leg);
  }

  /** The leg is over for this call: its late events (an answer after a cancel) are dropped. */
  forgetLeg(leg: LegId): void {
    if (leg !== this.inLeg) this.legs.delete(leg);
  }

  /** A new command whose completion event the script will wait for (originate, play). */
  expect(): CommandId {
    const cmd = newCommandId();
    this.expecting.add(cmd);
    return cmd;
  }

  /** The script gave up on a command (prompt stopped, dial cancelled): its late events are stale. */
  giveUp(cmd: CommandId | undefined): void {
    if (cmd) this.expecting.delete(cmd);
  }

  /** Throws when the call must end now; steps call it between pieces of work that wait for nothing. */
  checkLive(): void {
    if (this.aborted) throw this.aborted;
  }

  /** Ends the call from outside its script (length limit, shutdown): every wait rejects. */
  abort(reason: CallAborted): void {
    if (this.aborted) return;
    this.aborted = reason;
    for (const w of [...this.waiters]) this.wake(w, () => w.reject(reason));
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

  /** How many pieces of this call's work are running (its script, a slow command): 0 = parked. */
  private busy = 0;
  private idleWaiters: (() => void)[] = [];

  /** Counts this call's running work, and the engine's with it. */
  working(delta: 1 | -1): void {
    this.busy += delta;
    this.host.working(delta);
    if (this.busy <= 0) this.settled();
  }

  /**
   * Resolves once nothing of this call runs (its script waits for an event or a timer, or is over),
   * or after `deadlineMs` of wall-clock time, whichever is first: the sim API answers with what the
   * caller hears then, and a call stuck in a slow database write cannot hold a request forever.
   */
  whenIdle(deadlineMs: number): Promise<void> {
    if (this.busy <= 0 || this.phase === 'ended') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, deadlineMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.idleWaiters.push(done);
    });
  }

  private settled(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** The call is over: commands still waiting get the answer a finished call gets. */
  close(): void {
    this.settled();
    this.phase = 'ended';
    for (const ev of this.queue) if (ev.type === 'command') ev.reply(new CallControlError('call not live'));
    this.queue = [];
    this.expecting.clear();
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
    await this.deps.store.updateLeg(leg, patch);
    const reason = patch.end_reason ?? undefined;
    this.announceLeg(leg, direction, to, patch.status, reason !== patch.status ? reason : undefined);
  }

  /** Records a hold period of a leg (CCAI's hold durations read them); a lost write never stops the call. */
  private async holdChanged(leg: LegId, held: boolean): Promise<void> {
    try {
      await this.deps.store.holdChanged({
        companyId: this.companyId,
        callUuid: this.uuid,
        legId: leg,
        held,
        at: this.now(),
      });
    } catch (err) {
      this.deps.logger.warn({ call: this.uuid, leg, err: String(err) }, 'hold period not recorded');
    }
  }

  /** Publishes a leg's state to live listeners (the record is written by the caller). */
  announceLeg(
    leg: LegId,
    direction: 'inbound' | 'outbound',
    to: string,
    status: string,
    reason?: string,
  ): void {
    this.deps.bus.publish({
      type: 'leg.updated',
      companyId: this.companyId,
      callUuid: this.uuid,
      legId: leg,
      at: this.now(),
      direction,
      status,
      to,
      ...(reason ? { reason } : {}),
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
    if (ev.type !== 'command' && ev.type !== 'forward' && !this.accepts(ev)) return;
    if (ev.type === 'hangup' && ev.leg === this.inLeg && !this.callerGone) {
      this.callerGone = true;
      this.aborted ??= new CallerHungUp();
    }
    const w = this.waiters.find((x) => x.match(ev));
    if (w) {
      this.wake(w, () => w.resolve(ev));
      return;
    }
    if (this.callerGone) {
      for (const x of this.waiters.filter((y) => !y.allowCallerHangup))
        this.wake(x, () => x.reject(this.aborted!));
    }
    this.enqueue(ev);
  }

  /** Drops events of legs this call no longer has and late events of commands it gave up on. */
  private accepts(ev: DriverEvent): boolean {
    if ('leg' in ev && !this.legs.has(ev.leg)) return false;
    const cmd = 'cmd' in ev ? ev.cmd : undefined;
    if (cmd === undefined) return true;
    if (!COMPLETES.has(ev.type)) return ev.type !== 'ringing' || this.expecting.has(cmd);
    return this.expecting.delete(cmd);
  }

  /** Keeps an event for a later wait; a hang-up or a command is never the one dropped. */
  private enqueue(ev: SessionEvent): void {
    this.queue.push(ev);
    if (this.queue.length <= MAX_QUEUED) return;
    const i = this.queue.findIndex((e) => e.type !== 'hangup' && e.type !== 'command');
    if (i === -1) return;
    const [dropped] = this.queue.splice(i, 1);
    this.deps.logger.warn(
      { call: this.uuid, event: dropped.type },
      'call event queue full: oldest event dropped',
    );
  }

  /**
   * The next event that matches, or 'timeout'. Rejects with the reason once the call must end (the
   * caller hung up, the length limit), unless the step asked to see the caller's hang-up itself.
   */
  waitFor(
    match: (ev: SessionEvent) => boolean,
    opts: { timeoutMs?: number; allowCallerHangup?: boolean } = {},
  ): Promise<SessionEvent | 'timeout'> {
    const i = this.queue.findIndex(match);
    if (i !== -1) return Promise.resolve(this.queue.splice(i, 1)[0]);
    if (this.aborted && !(opts.allowCallerHangup && this.aborted instanceof CallerHungUp))
      return Promise.reject(this.aborted);
    return new Promise((resolve, reject) => {
      const w: Waiter = { match, resolve, reject, allowCallerHangup: opts.allowCallerHangup ?? false };
      if (opts.timeoutMs !== undefined) {
        w.cancelTimer = this.deps.clock.schedule(opts.timeoutMs, () =>
          this.wake(w, () => w.resolve('timeout')),
        );
      }
      this.waiters.push(w);
      this.working(-1);
    });
  }

  /** Ends a wait: the script runs again, so the engine counts it as working. */
  private wake(w: Waiter, fn: () => void): void {
    const i = this.waiters.indexOf(w);
    if (i === -1) return;
    this.waiters.splice(i, 1);
    w.cancelTimer?.();
    this.working(1);
    fn();
  }
}
