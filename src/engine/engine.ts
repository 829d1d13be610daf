import { randomUUID } from 'node:crypto';
import type { Cancel } from '../clock.js';
import { type CallControl, CallControlError } from '../domain/call-control.js';
import { NotFound } from '../domain/errors.js';
import type { InboundContext } from '../domain/flow.js';
import type { PartyControl } from '../domain/party-control.js';
import { phoneInfo } from '../domain/phone.js';
import type { PlaceCallRequest } from '../domain/placed-call.js';
import { NODE_LEASE_MS } from '../live/live-state.js';
import type { DriverEvent, DriverSink, IncomingCall, LegId } from '../telephony/driver.js';
import { CallRecord, startingCallRow } from './call-record.js';
import { errorText, Telephony } from './commands.js';
import { forwarding } from './forwarding.js';
import { placedCallRow, placedContext, runPlacedCall } from './outbound-call.js';
import { partyControl } from './party-control.js';
import { endInterrupted, NODE_LOST_REASON } from './recovery.js';
import { runCall } from './run-call.js';
import { CallAborted, CallSession, type Command, type EngineDeps, type SessionHost } from './session.js';

/** How often live calls are checkpointed (issue: at most 5 s of talk time lost to a crash). */
export const CHECKPOINT_MS = 5_000;
/** How long `whenCallIdle` waits at most (wall clock) before answering with what is there. */
export const CALL_IDLE_DEADLINE_MS = 10_000;

/**
 * Owns live calls: turns each incoming call into a session running its script, routes driver events to
 * the session owning the leg, and knows when every live call is waiting (for the manual clock).
 */
export class CallEngine implements DriverSink {
  private readonly byLeg = new Map<LegId, CallSession>();
  private readonly sessions = new Map<string, CallSession>();
  /** Transfers by uuid; kept (bounded) after their call ends, to answer "caller hung up" / "call not live". */
  private readonly transfers = new Map<string, { session: CallSession; callerHungUp: boolean }>();
  /** Call control for any live call: run here, or on the node that owns it (`forwarding.ts`). */
  readonly callControl: CallControl;
  private readonly localControl: CallControl = {
    transfer: async (uuid, scope, req) =>
      (await this.live(uuid).command({ kind: 'transfer', scope, ...req })) as { transferUuid: string },
    conferenceCaller: (uuid, scope) =>
      this.transferCommand(uuid, { kind: 'conference_caller', scope, transferUuid: uuid }),
    stopTransfer: (uuid, scope) =>
      this.transferCommand(uuid, { kind: 'stop_transfer', scope, transferUuid: uuid }),
    returnCall: async (uuid, scope) => {
      await this.live(uuid).command({ kind: 'return', scope });
    },
    acceptCall: async (uuid, scope) => {
      await this.live(uuid).command({ kind: 'accept', scope });
    },
  };
  private active = 0;
  private checkpoint: Cancel | undefined;
  private idleWaiters: (() => void)[] = [];
  /** `endAll` waits for the last live call to be closed. */
  private emptyWaiters: (() => void)[] = [];
  private nodeDuty: Cancel | undefined;
  /** Events for incoming legs whose call is still being set up: handed to the session once it exists. */
  private readonly settingUp = new Map<LegId, DriverEvent[]>();
  private readonly host: SessionHost = {
    ownLeg: (leg, session) => this.byLeg.set(leg, session),
    ownTransfer: (uuid, session) => {
      this.transfers.set(uuid, { session, callerHungUp: false });
      this.registry('alias', () => this.deps.live.calls.alias(uuid, session.uuid));
    },
    working: (delta) => this.working(delta),
  };

  /** Leg-by-leg control for the RingCentral face (src/engine/party-control.ts). */
  readonly parties: PartyControl;

  constructor(private readonly deps: EngineDeps) {
    const fw = forwarding(deps.live, {
      has: (uuid) => this.sessions.has(uuid) || this.transfers.has(uuid),
      callControl: this.localControl,
      parties: partyControl({
        session: (uuid) => this.sessions.get(uuid),
        deliver: (ev) => this.event(ev),
        driver: deps.driver,
      }),
    });
    this.callControl = fw.callControl;
    this.parties = fw.parties;
  }

  /** Registry writes are best effort: a live-state outage must not drop the call (it stays local). */
  private registry(what: string, write: () => Promise<void>): void {
    write().catch((err) =>
      this.deps.logger.warn({ err: errorText(err) }, `live-call registry ${what} failed`),
    );
  }

  async incoming(call: IncomingCall): Promise<string> {
    this.settingUp.set(call.leg, []);
    try {
      return await this.setUp(call);
    } finally {
      this.settingUp.delete(call.leg);
    }
  }

  private async setUp(call: IncomingCall): Promise<string> {
    const { store } = this.deps;
    const ctx = await store.inbound(call.to);
    if (!ctx) {
      await new Telephony(this.deps.driver, this.deps.clock, this.deps.logger).reject(call.leg);
      throw new NotFound('Number');
    }
    const uuid = randomUUID();
    const now = this.deps.clock.now();
    const claim = await store.claimReservation({
      companyId: ctx.companyId,
      caller: call.from,
      number: call.to,
      now,
      callUuid: uuid,
    });
    if (claim?.afid)
      ctx.affiliate = (await store.affiliateByAfid(ctx.companyId, claim.afid)) ?? ctx.affiliate;
    const record = await CallRecord.create(store, await this.firstRow(uuid, call, ctx));
    await store.insertLeg({
      id: call.leg,
      callUuid: uuid,
      companyId: ctx.companyId,
      direction: 'inbound',
      from: call.from,
      to: call.to,
      at: this.deps.clock.now(),
    });
    const session = new CallSession(this.deps, this.host, uuid, call.leg, call.from, ctx, record);
    if (claim) {
      session.reservation = { targetId: claim.targetId, tags: claim.tags, only: claim.onlyReservedTarget };
      // The reservation's held slot goes back before this call dials (it takes its own lease then).
      await this.deps.live.leases
        .unhold(`reservation:${claim.reservationUuid}`)
        .catch((err) =>
          this.deps.logger.warn({ err: errorText(err) }, 'releasing a reservation hold failed'),
        );
    }
    this.sessions.set(uuid, session);
    this.byLeg.set(call.leg, session);
    this.registry('own', () => this.deps.live.calls.own(uuid));
    // A caller who hung up while the call was being recorded: the session learns it before it starts.
    for (const ev of this.settingUp.get(call.leg) ?? []) session.deliver(ev);
    this.start(session, call.to, () => runCall(session));
    return uuid;
  }

  /**
   * A call the platform places itself (src/engine/outbound-call.ts): leg A first, then leg B, bridged.
   * Resolves with the call's uuid once it is recorded; the dialing goes on in the background.
   */
  async place(req: PlaceCallRequest): Promise<string> {
    const uuid = req.callUuid ?? randomUUID();
    const row = placedCallRow(uuid, req, this.deps.clock.now(), this.deps.processId);
    const record = await CallRecord.create(this.deps.store, row);
    const session = new CallSession(
      this.deps,
      this.host,
      uuid,
      `placed:${uuid}`,
      req.from,
      placedContext(req.companyId, req.from),
      record,
    );
    session.anchored = false;
    session.inDirection = 'outbound';
    this.sessions.set(uuid, session);
    this.registry('own', () => this.deps.live.calls.own(uuid));
    this.start(session, req.second.to, () => runPlacedCall(session, req));
    return uuid;
  }

  /** Runs a recorded call's script under the engine's accounting, length limit and checkpoints. */
  private start(session: CallSession, number: string, script: () => Promise<void>): void {
    const uuid = session.uuid;
    this.deps.bus.publish({
      type: 'call.started',
      companyId: session.companyId,
      callUuid: uuid,
      at: this.deps.clock.now(),
      caller: session.caller,
      number,
    });
    session.working(1);
    this.scheduleCheckpoint();
    const limit = this.deps.clock.schedule(this.deps.maxCallSeconds * 1000, () =>
      session.abort(new CallAborted('system', 'call length limit')),
    );
    void script()
      .catch((err) => this.deps.logger.error({ call: uuid, err: errorText(err) }, 'call script failed'))
      .finally(() => {
        limit();
        session.working(-1);
        session.close();
        this.sessions.delete(uuid);
        const aliases: string[] = [];
        for (const [id, t] of this.transfers)
          if (t.session === session) {
            t.callerHungUp = session.callerLeftOnHold === id;
            aliases.push(id);
          }
        this.registry('forget', () => this.deps.live.calls.forget(uuid, aliases));
        if (this.sessions.size === 0) for (const w of this.emptyWaiters.splice(0)) w();
        if (this.transfers.size > 10_000) this.transfers.delete(this.transfers.keys().next().value!);
        for (const [leg, s] of this.byLeg) if (s === session) this.byLeg.delete(leg);
      });
  }

  /** A live call of the key's company, or the documented "call not live". */
  private live(callUuid: string): CallSession {
    const session = this.sessions.get(callUuid);
    if (!session || session.phase === 'ended') throw new CallControlError('call not live');
    return session;
  }

  private async transferCommand(transferUuid: string, command: Command): Promise<void> {
    const t = this.transfers.get(transferUuid);
    const { scope } = command;
    const reaches = scope.transferUuid
      ? scope.transferUuid === transferUuid
      : t?.session.companyId === scope.companyId;
    if (!t || !reaches) throw new CallControlError('transfer not found');
    // "caller hung up" is in conference_caller's table only, and means "left while on hold".
    if (t.session.phase === 'ended')
      throw new CallControlError(
        t.callerHungUp && command.kind === 'conference_caller' ? 'caller hung up' : 'call not live',
      );
    await t.session.command(command);
  }

  event(ev: DriverEvent): void {
    const leg = 'leg' in ev ? ev.leg : undefined;
    if (leg === undefined) {
      if (ev.type === 'recordingReady') {
        // The call's record carries the recording's address, whether the call is still live or not.
        const s = this.sessions.get(ev.callUuid);
        const now = this.deps.clock.now();
        const saved = s
          ? s.record.save({ recording_url: ev.url }, now)
          : this.deps.store.saveCall(ev.callUuid, { recording_url: ev.url, updated_at: now });
        saved.catch((err) => this.deps.logger.warn({ err, call: ev.callUuid }, 'recording url not saved'));
        s?.deliver(ev);
      }
      return;
    }
    const buffered = this.settingUp.get(leg);
    if (buffered) {
      // Bounded like a session's queue; a hang-up is always kept.
      if (buffered.length < 50 || ev.type === 'hangup') buffered.push(ev);
      return;
    }
    const session = this.byLeg.get(leg);
    if (session) session.deliver(ev);
    else this.deps.logger.debug({ leg, event: ev.type }, 'event for an unknown leg dropped');
  }

  /**
   * Ends the calls this process left live when it stopped (crash, kill -9): each closes at its last
   * checkpoint with reason `process restarted`, and fires its end pixels, `call_ended` webhook and
   * conversion decision like any ended call. Calls of other processes sharing the database are left
   * alone. Returns how many were closed.
   */
  async closeInterrupted(): Promise<number> {
    const stale = await this.deps.store.interruptedCalls(this.deps.processId);
    for (const row of stale) {
      try {
        await endInterrupted(this.deps, this.host, row);
      } catch (err) {
        this.deps.logger.error({ call: row.uuid, err: errorText(err) }, 'closing an interrupted call failed');
      }
    }
    return stale.length;
  }

  /**
   * Every few seconds of clock time while calls are live, one write marks them all as live now, so a
   * crash loses at most that much of their talk time (the restart closes them at this instant).
   */
  private scheduleCheckpoint(): void {
    if (this.checkpoint) return;
    this.checkpoint = this.deps.clock.schedule(CHECKPOINT_MS, async () => {
      this.checkpoint = undefined;
      if (!this.sessions.size) return;
      this.scheduleCheckpoint();
      try {
        // Leases of calls that are no longer live (a path that forgot one) go back, too.
        const gone = (await this.deps.live.leases.heldBy()).filter((uuid) => !this.sessions.has(uuid));
        const swept = gone.length ? await this.deps.live.leases.releaseCalls(gone) : 0;
        if (swept) this.deps.logger.warn({ swept }, 'leases of ended calls released by the sweeper');
        await this.deps.store.checkpoint(this.deps.processId, this.deps.clock.now());
      } catch (err) {
        this.deps.logger.warn({ err: errorText(err) }, 'live-call checkpoint failed');
      }
    });
  }

  liveCalls(): number {
    return this.sessions.size;
  }

  /**
   * Shutdown: ends every live call now as the platform's hang-up, `reason` on the caller's leg, and
   * resolves once their records, end pixels and webhooks are written.
   */
  async endAll(reason: string): Promise<void> {
    if (this.sessions.size === 0) return;
    const empty = new Promise<void>((r) => this.emptyWaiters.push(r));
    for (const session of this.sessions.values()) session.endBySystem(reason);
    await empty;
  }

  /**
   * Resolves once every live call's script is parked waiting for an event or a timer (the manual clock
   * and the sim API wait for it). Event-driven: each script says when it waits and when it runs again.
   */
  whenIdle(): Promise<void> {
    if (this.active <= 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private working(delta: number): void {
    this.active += delta;
    if (this.active > 0 || !this.idleWaiters.length) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * Resolves once this call's script is parked or over: what its caller hears now, without waiting
   * for every other live call to settle too (under load `whenIdle` may never see all of them parked).
   */
  whenCallIdle(uuid: string, deadlineMs = CALL_IDLE_DEADLINE_MS): Promise<void> {
    return this.sessions.get(uuid)?.whenIdle(deadlineMs) ?? Promise.resolve();
  }

  /**
   * With a shared live state: every checkpoint this node renews its lease in the live-call registry
   * and looks for nodes whose lease expired (they died). The first survivor to adopt a dead node's
   * calls in the database ends them (`node lost`, at their last checkpoint, with end pixels and
   * webhooks), releases their leases and forgets them. Returns a stop function.
   */
  startNodeDuties(): () => void {
    const tick = async () => {
      this.nodeDuty = this.deps.clock.schedule(CHECKPOINT_MS, tick);
      try {
        await this.deps.live.calls.heartbeat(this.deps.clock.now());
        await this.takeOverDeadNodes();
      } catch (err) {
        this.deps.logger.warn({ err: errorText(err) }, 'node duties failed');
      }
    };
    void tick();
    return () => this.nodeDuty?.();
  }

  /** Ends the live calls of nodes that stopped; how many calls it ended. */
  async takeOverDeadNodes(): Promise<number> {
    const { live, store, processId, logger } = this.deps;
    let ended = 0;
    const now = this.deps.clock.now();
    const dead = new Set(await live.calls.deadNodes(now));
    // Owners the registry does not know (its data lost with a Redis restart) are dead only when their
    // calls' checkpoints stopped too: a live node checkpoints them every CHECKPOINT_MS.
    for (const { owner, lastSeen } of await store.liveOwners()) {
      if (owner === processId || dead.has(owner) || now - lastSeen < NODE_LEASE_MS) continue;
      if (!(await live.calls.alive(owner, now))) dead.add(owner);
    }
    for (const node of dead) {
      const rows = await store.adoptCalls(node, processId);
      if (rows.length) logger.warn({ node, calls: rows.length }, 'ending the live calls of a lost node');
      for (const row of rows) {
        try {
          await endInterrupted(this.deps, this.host, row, NODE_LOST_REASON);
          ended++;
        } catch (err) {
          logger.error({ call: row.uuid, err: errorText(err) }, "ending a lost node's call failed");
        }
      }
      const uuids = rows.map((r) => r.uuid);
      await live.leases.releaseCalls([...new Set([...uuids, ...(await live.leases.heldBy(node))])]);
      for (const uuid of uuids) await live.calls.forget(uuid);
      await live.calls.bury(node);
    }
    return ended;
  }

  /** Earlier calls of this caller to the company: repeat flags and the dedupe window, in one query. */
  private priorCalls(ctx: InboundContext, caller: string, now: number) {
    return this.deps.store.priorCalls({
      companyId: ctx.companyId,
      caller,
      numberId: ctx.number.id,
      affiliateId: ctx.affiliate?.id ?? null,
      campaignId: ctx.flow.campaignId,
      dedupeFrom: ctx.flow.dedupeSeconds > 0 ? now - ctx.flow.dedupeSeconds * 1000 : now,
    });
  }

  private async firstRow(uuid: string, call: IncomingCall, ctx: InboundContext) {
    const now = this.deps.clock.now();
    const prior = await this.priorCalls(ctx, call.from, now);
    const info = phoneInfo(call.from);
    return startingCallRow(
      {
        uuid,
        company_id: ctx.companyId,
        caller: call.from,
        caller_country: info.country ?? null,
        number: call.to,
        number_id: ctx.number.id,
        campaign_id: ctx.flow.campaignId,
        cid: ctx.flow.cid,
        campaign_name: ctx.flow.campaignName,
        affiliate_id: ctx.affiliate?.id ?? null,
        afid: ctx.affiliate?.afid ?? null,
        affiliate_name: ctx.affiliate?.name ?? null,
        sid: ctx.number.sid,
        repeat: prior.any > 0 ? 1 : 0,
        affiliate_repeat: prior.affiliate > 0 ? 1 : 0,
        number_repeat: prior.number > 0 ? 1 : 0,
        duplicate: prior.duplicate > 0 ? 1 : 0,
        via: 'inbound-dial',
        owner_process: this.deps.processId,
      },
      now,
    );
  }
}
