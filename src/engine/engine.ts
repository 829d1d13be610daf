import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { type CallControl, CallControlError } from '../domain/call-control.js';
import { NotFound } from '../domain/errors.js';
import type { PartyControl } from '../domain/party-control.js';
import { phoneInfo } from '../domain/phone.js';
import { claimReservation } from '../services/reservations.js';
import type { DriverEvent, DriverSink, IncomingCall, LegId } from '../telephony/driver.js';
import { CallRecord, insertLeg } from './call-record.js';
import { type InboundContext, loadInbound } from './flow-config.js';
import { partyControl } from './party-control.js';
import { runCall } from './run-call.js';
import { CallSession, type Command, type EngineDeps, type SessionHost } from './session.js';

/**
 * Owns live calls: turns each incoming call into a session running its script, routes driver events to
 * the session owning the leg, and knows when every live call is waiting (for the manual clock).
 */
export class CallEngine implements DriverSink {
  private readonly byLeg = new Map<LegId, CallSession>();
  private readonly sessions = new Map<string, CallSession>();
  /** Transfers by uuid; kept (bounded) after their call ends, to answer "caller hung up" / "call not live". */
  private readonly transfers = new Map<string, { session: CallSession; callerHungUp: boolean }>();
  readonly callControl: CallControl = {
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
  private readonly host: SessionHost = {
    ownLeg: (leg, session) => this.byLeg.set(leg, session),
    ownTransfer: (uuid, session) => this.transfers.set(uuid, { session, callerHungUp: false }),
    working: (delta) => {
      this.active += delta;
    },
  };

  /** Leg-by-leg control for the RingCentral face (src/engine/party-control.ts). */
  readonly parties: PartyControl;

  constructor(private readonly deps: EngineDeps) {
    this.parties = partyControl({
      session: (uuid) => this.sessions.get(uuid),
      deliver: (ev) => this.event(ev),
      driver: deps.driver,
    });
  }

  async incoming(call: IncomingCall): Promise<string> {
    const ctx = await loadInbound(this.deps.db, call.to);
    if (!ctx) {
      await this.deps.driver.reject(call.leg);
      throw new NotFound('Number');
    }
    const uuid = randomUUID();
    const now = this.deps.clock.now();
    const claim = await claimReservation(this.deps.db, {
      companyId: ctx.companyId,
      caller: call.from,
      number: call.to,
      now,
      callUuid: uuid,
    });
    if (claim?.afid) ctx.affiliate = (await this.affiliateByAfid(ctx.companyId, claim.afid)) ?? ctx.affiliate;
    const record = await CallRecord.create(this.deps.db, await this.firstRow(uuid, call, ctx));
    await insertLeg(this.deps.db, {
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
      this.deps.occupancy.unhold(`reservation:${claim.reservationUuid}`);
    }
    this.sessions.set(uuid, session);
    this.byLeg.set(call.leg, session);
    this.deps.bus.publish({
      type: 'call.started',
      companyId: ctx.companyId,
      callUuid: uuid,
      at: this.deps.clock.now(),
      caller: call.from,
      number: call.to,
    });
    this.active++;
    void runCall(session)
      .catch((err) => console.error('call script failed', uuid, err))
      .finally(() => {
        this.active--;
        session.close();
        this.sessions.delete(uuid);
        for (const [id, t] of this.transfers)
          if (t.session === session) t.callerHungUp = session.callerLeftOnHold === id;
        if (this.transfers.size > 10_000) this.transfers.delete(this.transfers.keys().next().value!);
        for (const [leg, s] of this.byLeg) if (s === session) this.byLeg.delete(leg);
      });
    return uuid;
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
    const session = leg ? this.byLeg.get(leg) : undefined;
    session?.deliver(ev);
  }

  /**
   * Calls left in progress by a process that stopped (crash, kill) can no longer be live here: close
   * them at their last recorded moment. Single-node assumption; with several nodes only the owner may.
   */
  async closeInterrupted(): Promise<number> {
    const stale = await this.deps.db
      .selectFrom('calls')
      .select(['uuid', 'start_time', 'updated_at'])
      .where('status', '=', 'in-progress')
      .execute();
    for (const c of stale) {
      const total = Math.max(0, Math.round((c.updated_at - c.start_time) / 1000));
      await this.deps.db
        .updateTable('calls')
        .set({
          status: 'finished',
          hung_up_by: 'system',
          end_time: c.updated_at,
          total_duration: total,
          billable_minutes: total > 0 ? Math.ceil(total / 60) : 0,
        })
        .where('uuid', '=', c.uuid)
        .execute();
      await this.deps.db
        .updateTable('call_legs')
        .set({ status: 'ended', ended_at: c.updated_at, end_reason: 'interrupted' })
        .where('call_uuid', '=', c.uuid)
        .where('ended_at', 'is', null)
        .execute();
    }
    return stale.length;
  }

  liveCalls(): number {
    return this.sessions.size;
  }

  /**
   * Shutdown: ends every live call now as the platform's hang-up, `reason` on the caller's leg, and
   * resolves once their records, end pixels and webhooks are written.
   */
  async endAll(reason: string): Promise<void> {
    for (const session of this.sessions.values()) session.endBySystem(reason);
    while (this.sessions.size > 0) await new Promise((r) => setTimeout(r, 10));
  }

  /** Resolves once every live call's script is parked waiting for an event or a timer. */
  async whenIdle(): Promise<void> {
    for (let i = 0; this.active > 0 && i < 100_000; i++) await new Promise<void>((r) => setImmediate(r));
  }

  private async affiliateByAfid(companyId: number, afid: string): Promise<InboundContext['affiliate']> {
    const a = await this.deps.db
      .selectFrom('affiliates')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('afid', '=', afid)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return a
      ? { id: a.id, afid: a.afid, name: [a.first_name, a.last_name].filter(Boolean).join(' ') || null }
      : null;
  }

  /** Earlier calls of this caller to the company: repeat flags and the dedupe window, in one query. */
  private async priorCalls(ctx: InboundContext, caller: string, now: number) {
    const dedupeFrom = ctx.flow.dedupeSeconds > 0 ? now - ctx.flow.dedupeSeconds * 1000 : now;
    const affiliateId = ctx.affiliate?.id ?? -1;
    const row = await this.deps.db
      .selectFrom('calls')
      .select([
        sql<number>`count(*)`.as('any'),
        sql<number>`sum(case when number_id = ${ctx.number.id} then 1 else 0 end)`.as('number'),
        sql<number>`sum(case when affiliate_id = ${affiliateId} then 1 else 0 end)`.as('affiliate'),
        sql<number>`sum(case when campaign_id = ${ctx.flow.campaignId} and created_at > ${dedupeFrom} then 1 else 0 end)`.as(
          'duplicate',
        ),
      ])
      .where('company_id', '=', ctx.companyId)
      .where('caller', '=', caller)
      .executeTakeFirst();
    const n = (v: unknown) => Number(v ?? 0);
    return {
      any: n(row?.any),
      number: n(row?.number),
      affiliate: n(row?.affiliate),
      duplicate: n(row?.duplicate),
    };
  }

  private async firstRow(uuid: string, call: IncomingCall, ctx: InboundContext) {
    const now = this.deps.clock.now();
    const prior = await this.priorCalls(ctx, call.from, now);
    const info = phoneInfo(call.from);
    return {
      uuid,
      company_id: ctx.companyId,
      status: 'in-progress',
      caller: call.from,
      caller_number_sent: null,
      caller_zip: null,
      caller_state: null,
      caller_city: null,
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
      start_time: now,
      ivr_duration: 0,
      hold_duration: 0,
      dialed_call_duration: 0,
      total_duration: 0,
      keys_pressed: '[]',
      tags: '{}',
      repeat: prior.any > 0 ? 1 : 0,
      affiliate_repeat: prior.affiliate > 0 ? 1 : 0,
      number_repeat: prior.number > 0 ? 1 : 0,
      duplicate: prior.duplicate > 0 ? 1 : 0,
      payable_duplicate: 0,
      receivable_duplicate: 0,
      connected: 0,
      billable_minutes: 0,
      charge_total: 0,
      converted: 0,
      payable: 0,
      receivable: 0,
      via: 'inbound-dial',
      rescued: 0,
      downstream_call_uuids: '[]',
      created_at: now,
      updated_at: now,
    };
  }
}
