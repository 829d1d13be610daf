import type { Insertable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { DeliveryItem, Outbox } from '../delivery/outbox.js';
import type { FlowConfig, InboundContext, RoutingOwner } from '../domain/flow.js';
import type { LeaseCounts } from '../live/live-state.js';
import type { Db } from './db.js';
import { loadCampaignFlow, loadInbound } from './flows.js';
import { type ClaimedReservation, claimReservation } from './reservation-claims.js';
import { loadRoutingList, type RoutingInput } from './routing-inputs.js';
import type { CallTransferStatus } from './schema-call-control.js';
import type { CallsTable } from './schema-calls.js';
import { addCallTags, takeCallerTags, takeCallTags } from './stored-tags.js';

export type CallRow = Insertable<CallsTable>;
export type CallPatch = Updateable<CallsTable>;

export interface NewLeg {
  id: string;
  callUuid: string;
  companyId: number;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  targetId?: number | null;
  targetGroupId?: number | null;
  at: number;
}

export interface LegPatch {
  status: string;
  answered_at?: number;
  ended_at?: number;
  hung_up_by?: string | null;
  end_reason?: string | null;
}

export interface PriorCalls {
  any: number;
  number: number;
  affiliate: number;
  duplicate: number;
}

export interface NewTransfer {
  id: string;
  company_id: number;
  call_uuid: string;
  downstream_call_uuid: string;
  transfer_to: string;
  hold_caller: number;
  status: CallTransferStatus;
  leg_id: string;
  transferor_leg_id: string | null;
  created_by_key_id: number;
  created_at: number;
}

/** One pixel or webhook to record in `fired_pixels` and hand to the outbox in the same transaction. */
export interface Firing {
  companyId: number;
  callUuid: string;
  url: string;
  webhookName: string | null;
  fireOrder: number;
  batchUuid: string;
  at: number;
  delivery: Omit<DeliveryItem, 'firedPixelId'>;
}

/**
 * Everything the engine reads and writes in the database, and nothing else: the port DESIGN.md §1
 * names. The engine holds no connection and writes no SQL; this is its only way to the store.
 */
export interface CallStore {
  inbound(to: string): Promise<InboundContext | undefined>;
  campaignFlow(companyId: number, ref: { id: number } | { cid: string }): Promise<FlowConfig | undefined>;
  affiliateByAfid(companyId: number, afid: string): Promise<InboundContext['affiliate']>;
  priorCalls(q: {
    companyId: number;
    caller: string;
    numberId: number;
    affiliateId: number | null;
    campaignId: number;
    dedupeFrom: number;
  }): Promise<PriorCalls>;
  hasOwnRoutingList(owner: RoutingOwner, id: number): Promise<boolean>;
  routingList(
    companyId: number,
    owner: { owner: RoutingOwner; id: number },
    now: number,
    counts: LeaseCounts,
  ): Promise<RoutingInput>;
  suppression(
    companyId: number,
    caller: string,
  ): Promise<{ id: number; campaignId: number | null; canResubscribe: boolean } | undefined>;
  liftSuppression(id: number): Promise<void>;
  isStaticCaller(companyId: number, caller: string): Promise<boolean>;
  contactTags(companyId: number, caller: string): Promise<{ key: string; value: string }[]>;
  calledTargetBefore(
    companyId: number,
    caller: string,
    targetId: number,
    exceptUuid: string,
  ): Promise<boolean>;
  /** Return windows (seconds) of the live call-control keys reaching a target. */
  acceptanceWindows(targetId: number): Promise<number[]>;
  claimReservation(p: {
    companyId: number;
    caller: string;
    number: string;
    now: number;
    callUuid: string;
  }): Promise<ClaimedReservation | undefined>;

  createCall(row: CallRow): Promise<void>;
  saveCall(uuid: string, patch: CallPatch): Promise<void>;
  insertLeg(leg: NewLeg): Promise<void>;
  updateLeg(id: string, patch: LegPatch): Promise<void>;
  /** A leg went on hold (a period opens, unless one is open) or came off it (the open one closes). */
  holdChanged(h: {
    companyId: number;
    callUuid: string;
    legId: string;
    held: boolean;
    at: number;
  }): Promise<void>;
  addCapHits(
    rows: {
      owner_type: 'target' | 'target_group';
      owner_id: number;
      company_id: number;
      call_uuid: string;
      hit_at: number;
    }[],
  ): Promise<void>;
  removeCapHits(callUuid: string): Promise<void>;
  createTransfer(row: NewTransfer): Promise<void>;
  updateTransfer(
    id: string,
    patch: { status: CallTransferStatus; answered_at?: number; ended_at?: number },
  ): Promise<void>;
  fire(firings: Firing[]): Promise<void>;

  /** Data Writing tags stored for a caller before the call arrived (consumed). */
  takeCallerTags(p: {
    companyId: number;
    campaignId: number;
    caller: string;
    callUuid: string;
    now: number;
  }): Promise<Record<string, string>>;
  /** Data Writing tags sent for a live call since the last look (consumed). */
  takeCallTags(callUuid: string, now: number): Promise<Record<string, string>>;
  addCallTags(callUuid: string, tags: Record<string, string>): Promise<void>;

  /** Live calls of `owner` are still live at `now`: one statement for all of them. */
  checkpoint(owner: string, now: number): Promise<void>;
  /** Calls `owner` left live when it stopped (and calls from before owners were recorded). */
  interruptedCalls(owner: string): Promise<CallRow[]>;
  /**
   * Moves a dead node's live calls to `survivor` and returns them: one conditional update, so when
   * several survivors try at once each call goes to exactly one of them.
   */
  adoptCalls(deadOwner: string, survivor: string): Promise<CallRow[]>;
  /** The processes that own live calls now, with their latest checkpoint (a survivor's second opinion). */
  liveOwners(): Promise<{ owner: string; lastSeen: number }[]>;
  inboundLeg(callUuid: string): Promise<string | undefined>;
  endOpenLegs(callUuid: string, at: number, reason: string): Promise<void>;
  lastFireOrder(callUuid: string): Promise<number>;
}

export function sqlCallStore(db: Db, outbox: Pick<Outbox, 'enqueue' | 'kick'>): CallStore {
  return {
    inbound: (to) => loadInbound(db, to),
    campaignFlow: (companyId, ref) => loadCampaignFlow(db, companyId, ref),
    async affiliateByAfid(companyId, afid) {
      const a = await db
        .selectFrom('affiliates')
        .selectAll()
        .where('company_id', '=', companyId)
        .where('afid', '=', afid)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return a
        ? { id: a.id, afid: a.afid, name: [a.first_name, a.last_name].filter(Boolean).join(' ') || null }
        : null;
    },
    async priorCalls(q) {
      const row = await db
        .selectFrom('calls')
        .select([
          sql<number>`count(*)`.as('any'),
          sql<number>`sum(case when number_id = ${q.numberId} then 1 else 0 end)`.as('number'),
          sql<number>`sum(case when affiliate_id = ${q.affiliateId ?? -1} then 1 else 0 end)`.as('affiliate'),
          sql<number>`sum(case when campaign_id = ${q.campaignId} and created_at > ${q.dedupeFrom} then 1 else 0 end)`.as(
            'duplicate',
          ),
        ])
        .where('company_id', '=', q.companyId)
        .where('caller', '=', q.caller)
        .executeTakeFirst();
      const n = (v: unknown) => Number(v ?? 0);
      return {
        any: n(row?.any),
        number: n(row?.number),
        affiliate: n(row?.affiliate),
        duplicate: n(row?.duplicate),
      };
    },
    async hasOwnRoutingList(owner, id) {
      const row = await db
        .selectFrom('routing_entries')
        .select('id')
        .where('owner_type', '=', owner)
        .where('owner_id', '=', id)
        .executeTakeFirst();
      return !!row;
    },
    routingList: (companyId, owner, now, counts) => loadRoutingList(db, counts, companyId, owner, now),
    async suppression(companyId, caller) {
      const row = await db
        .selectFrom('suppressed_numbers')
        .select(['id', 'campaign_id', 'can_resubscribe'])
        .where('company_id', '=', companyId)
        .where('number', '=', caller)
        .executeTakeFirst();
      return row && { id: row.id, campaignId: row.campaign_id, canResubscribe: row.can_resubscribe === 1 };
    },
    async liftSuppression(id) {
      await db.deleteFrom('suppressed_numbers').where('id', '=', id).execute();
    },
    async isStaticCaller(companyId, caller) {
      const row = await db
        .selectFrom('static_caller_numbers')
        .select('id')
        .where('company_id', '=', companyId)
        .where('number', '=', caller)
        .executeTakeFirst();
      return !!row;
    },
    async contactTags(companyId, caller) {
      const contact = await db
        .selectFrom('contact_numbers')
        .select('contact_id')
        .where('company_id', '=', companyId)
        .where('number', '=', caller)
        .executeTakeFirst();
      if (!contact) return [];
      return db
        .selectFrom('tag_values')
        .select(['key', 'value'])
        .where('owner_type', '=', 'contact')
        .where('owner_id', '=', contact.contact_id)
        .orderBy('id')
        .execute();
    },
    async calledTargetBefore(companyId, caller, targetId, exceptUuid) {
      const prior = await db
        .selectFrom('calls')
        .select('id')
        .where('company_id', '=', companyId)
        .where('caller', '=', caller)
        .where('target_id', '=', targetId)
        .where('uuid', '!=', exceptUuid)
        .executeTakeFirst();
      return !!prior;
    },
    async acceptanceWindows(targetId) {
      const groupIds = (
        await db
          .selectFrom('target_group_members')
          .select('target_group_id')
          .where('target_id', '=', targetId)
          .execute()
      ).map((g) => g.target_group_id);
      const rows = await db
        .selectFrom('call_control_keys')
        .select('return_timeout_seconds')
        .where('revoked_at', 'is', null)
        .where((eb) =>
          groupIds.length
            ? eb.or([eb('target_id', '=', targetId), eb('target_group_id', 'in', groupIds)])
            : eb('target_id', '=', targetId),
        )
        .execute();
      return rows.map((r) => r.return_timeout_seconds);
    },
    claimReservation: (p) => claimReservation(db, p),

    async createCall(row) {
      await db.insertInto('calls').values(row).execute();
    },
    async saveCall(uuid, patch) {
      await db.updateTable('calls').set(patch).where('uuid', '=', uuid).execute();
    },
    async insertLeg(leg) {
      await db
        .insertInto('call_legs')
        .values({
          id: leg.id,
          call_uuid: leg.callUuid,
          company_id: leg.companyId,
          direction: leg.direction,
          from_number: leg.from,
          to_number: leg.to,
          target_id: leg.targetId ?? null,
          target_group_id: leg.targetGroupId ?? null,
          status: leg.direction === 'inbound' ? 'answered' : 'ringing',
          started_at: leg.at,
        })
        .execute();
    },
    async updateLeg(id, patch) {
      await db.updateTable('call_legs').set(patch).where('id', '=', id).execute();
    },
    async holdChanged(h) {
      if (!h.held) {
        await db
          .updateTable('call_holds')
          .set({ ended_at: h.at })
          .where('leg_id', '=', h.legId)
          .where('ended_at', 'is', null)
          .execute();
        return;
      }
      // Held again while held (a transfer re-joining its parties) keeps the period that is open.
      const open = await db
        .selectFrom('call_holds')
        .select('id')
        .where('leg_id', '=', h.legId)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      if (open) return;
      await db
        .insertInto('call_holds')
        .values({
          company_id: h.companyId,
          call_uuid: h.callUuid,
          leg_id: h.legId,
          started_at: h.at,
          ended_at: null,
        })
        .execute();
    },
    async addCapHits(rows) {
      if (rows.length) await db.insertInto('cap_hits').values(rows).execute();
    },
    async removeCapHits(callUuid) {
      await db.deleteFrom('cap_hits').where('call_uuid', '=', callUuid).execute();
    },
    async createTransfer(row) {
      await db
        .insertInto('call_transfers')
        .values({ ...row, answered_at: null, ended_at: null })
        .execute();
    },
    async updateTransfer(id, patch) {
      await db.updateTable('call_transfers').set(patch).where('id', '=', id).execute();
    },
    async fire(firings) {
      if (!firings.length) return;
      await db.transaction().execute(async (tx) => {
        for (const f of firings) {
          const row = await tx
            .insertInto('fired_pixels')
            .values({
              company_id: f.companyId,
              call_uuid: f.callUuid,
              url: f.url,
              fire_order: f.fireOrder,
              batch_uuid: f.batchUuid,
              webhook_name: f.webhookName,
              status: 'new',
              created_at: f.at,
              fired_at: null,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await outbox.enqueue(tx, { ...f.delivery, firedPixelId: row.id });
        }
      });
      // The worker cannot see the rows before the transaction commits (PostgreSQL): look again now.
      outbox.kick();
    },

    takeCallerTags: (p) => takeCallerTags(db, p),
    takeCallTags: (callUuid, now) => takeCallTags(db, callUuid, now),
    addCallTags: (callUuid, tags) => addCallTags(db, callUuid, tags),

    async checkpoint(owner, now) {
      await db
        .updateTable('calls')
        .set({ updated_at: now })
        .where('owner_process', '=', owner)
        .where('status', '=', 'in-progress')
        .execute();
    },
    async liveOwners() {
      const rows = await db
        .selectFrom('calls')
        .select((eb) => ['owner_process', eb.fn.max('updated_at').as('last_seen')])
        .where('status', '=', 'in-progress')
        .where('owner_process', 'is not', null)
        .groupBy('owner_process')
        .execute();
      return rows.map((r) => ({ owner: r.owner_process as string, lastSeen: Number(r.last_seen) }));
    },
    adoptCalls: (deadOwner, survivor) =>
      db
        .updateTable('calls')
        .set({ owner_process: survivor })
        .where('owner_process', '=', deadOwner)
        .where('status', '=', 'in-progress')
        .returningAll()
        .execute(),
    interruptedCalls: (owner) =>
      db
        .selectFrom('calls')
        .selectAll()
        .where('status', '=', 'in-progress')
        .where((eb) => eb.or([eb('owner_process', '=', owner), eb('owner_process', 'is', null)]))
        .orderBy('id')
        .execute(),
    async inboundLeg(callUuid) {
      const row = await db
        .selectFrom('call_legs')
        .select('id')
        .where('call_uuid', '=', callUuid)
        .where('direction', '=', 'inbound')
        .executeTakeFirst();
      return row?.id;
    },
    async endOpenLegs(callUuid, at, reason) {
      await db
        .updateTable('call_legs')
        .set({ status: 'ended', ended_at: at, end_reason: reason, hung_up_by: 'system' })
        .where('call_uuid', '=', callUuid)
        .where('ended_at', 'is', null)
        .execute();
    },
    async lastFireOrder(callUuid) {
      const row = await db
        .selectFrom('fired_pixels')
        .select(sql<number | null>`max(fire_order)`.as('last'))
        .where('call_uuid', '=', callUuid)
        .executeTakeFirst();
      return row?.last == null ? -1 : Number(row.last);
    },
  };
}
