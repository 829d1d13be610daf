import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Cancel, Clock } from '../clock.js';
import {
  candidates,
  InventoryExhausted,
  type NumberCountry,
  type NumberType,
} from '../domain/number-inventory.js';
import type { Random } from '../domain/random-ids.js';
import type { Locks } from '../live/live-state.js';
import { LocalLocks } from '../live/local/locks.js';
import type { Conn, Db } from '../store/db.js';
import { PingStatements } from '../store/ping-statements.js';
import type { NumberPoolsTable } from '../store/schema.js';
import type { ReservationStatus, ReservationsTable } from '../store/schema-rtb.js';
import { isUniqueViolation } from '../store/unique.js';

export type Reservation = Selectable<ReservationsTable>;
type Pool = Selectable<NumberPoolsTable>;

/** What a ping decided, ready to be stored (the number part is settled by `reserve`). */
export interface ReservationDraft {
  companyId: number;
  campaignId: number;
  postbackKeyId: number;
  affiliateId: number | null;
  afid: string | null;
  callerNumber: string;
  targetId: number | null;
  tags: Record<string, string>;
  payoutCents: number | null;
  seconds: number | null;
  /** The reservation's uuid when the ping chose it beforehand (a slot held under it). */
  uuid?: string;
}

/** Where the number comes from: a static number of the company, or the campaign's pools. */
export type NumberSource = { kind: 'static'; id: number; number: string } | { kind: 'pools'; pools: Pool[] };

/**
 * Reservations: an inbound number held for one caller until it expires or a call claims it. The
 * `lock_key` column is unique, so no two live reservations can hold the same pool number whatever the
 * number of nodes; pings for one pool also queue behind a keyed lock in this process so they do not
 * collide and retry. That lock is not shared across nodes: a shared (Redis) lock every ping of a
 * pool waited for held the whole cluster to one ping per lock round trip plus polling (~65/s on three
 * nodes, and 503s when waiters starved), for a collision the unique key already settles — a ping
 * whose number another node took meanwhile takes the next free one.
 */
export class ReservationService {
  /** Per pool, the number id handed out last: the next ping starts after it (round robin, least recently used). */
  private readonly cursors = new Map<number, number>();
  private sweep?: { at: number; cancel: Cancel };
  private readonly statements: PingStatements;
  private readonly poolLocks = new LocalLocks();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly locks: Locks,
  ) {
    this.statements = new PingStatements(db);
  }

  /**
   * Runs `fn` after every earlier holder of `key` has finished, on any node (the live state's keyed
   * lock: it expires if its holder dies, so a dead node cannot block a caller for good).
   */
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.withLock(`reservation:${key}`, fn);
  }

  /** The caller's live reservation on this campaign (the ping shield's cache), if any. */
  live(campaignId: number, caller: string, now: number): Promise<Reservation | undefined> {
    return this.db
      .selectFrom('reservations')
      .selectAll()
      .where('caller_number', '=', caller)
      .where('status', '=', 'reserved')
      .where('campaign_id', '=', campaignId)
      .where('expires_at', '>', now)
      .orderBy('id', 'desc')
      .executeTakeFirst();
  }

  /** Ends the caller's live reservations on this campaign (a new ping replaces them when the shield is off). */
  async supersede(campaignId: number, caller: string, now: number): Promise<void> {
    await this.db
      .updateTable('reservations')
      .set({ status: 'expired', wiped_at: now, lock_key: null })
      .where('caller_number', '=', caller)
      .where('status', '=', 'reserved')
      .where('campaign_id', '=', campaignId)
      .execute();
  }

  /** Stores an answer that holds no number (`no-target`, `no-number`). */
  record(draft: ReservationDraft, status: ReservationStatus, now: number): Promise<Reservation> {
    return this.insert(draft, { status, now, number: null, lockKey: null, expiresAt: null });
  }

  /** Holds a number for the draft's caller until `expiresAt`; undefined when no number is free. */
  async reserve(
    draft: ReservationDraft,
    source: NumberSource,
    expiresAt: number,
  ): Promise<Reservation | undefined> {
    const now = this.clock.now();
    const row =
      source.kind === 'static'
        ? await this.reserveStatic(draft, source, expiresAt, now)
        : await this.reserveFromPools(draft, source.pools, expiresAt, now);
    if (row) this.scheduleSweep(expiresAt);
    return row;
  }

  /** A static number is shared by every caller: it locks per caller, so it never runs out. */
  private async reserveStatic(
    draft: ReservationDraft,
    n: { id: number; number: string },
    expiresAt: number,
    now: number,
  ) {
    await this.db
      .updateTable('reservations')
      .set({ status: 'expired', wiped_at: now, lock_key: null })
      .where('lock_key', '=', `${n.number}|${draft.callerNumber}`)
      .execute();
    const lockKey = `${n.number}|${draft.callerNumber}`;
    return this.insert(draft, { status: 'reserved', now, number: n, lockKey, expiresAt });
  }

  private async reserveFromPools(draft: ReservationDraft, pools: Pool[], expiresAt: number, now: number) {
    for (const pool of pools) {
      const row = await this.poolLocks.withLock(`pool:${pool.id}`, async () => {
        // Usually the number after the last one handed out is free: picked and held in one INSERT.
        const fast = await this.statements.reserveFromPool({
          uuid: draft.uuid ?? randomUUID(),
          companyId: draft.companyId,
          campaignId: draft.campaignId,
          postbackKeyId: draft.postbackKeyId,
          affiliateId: draft.affiliateId,
          afid: draft.afid,
          callerNumber: draft.callerNumber,
          targetId: draft.targetId,
          tags: JSON.stringify(draft.tags),
          payoutCents: draft.payoutCents,
          seconds: draft.seconds,
          poolId: pool.id,
          after: this.cursors.get(pool.id) ?? 0,
          now,
          expiresAt,
        });
        if (fast) {
          this.cursors.set(pool.id, fast.number_id!);
          return fast;
        }
        // Else the same search number by number: round the pool, wiping expired locks, provisioning.
        for (let attempt = 0; attempt < 5; attempt++) {
          const n = (await this.freeNumber(pool, now)) ?? (await this.provision(pool, now));
          if (!n) return undefined;
          const row = await this.tryInsert(draft, n, expiresAt, now);
          if (row) return row;
        }
        return undefined;
      });
      if (row) return row;
    }
    return undefined;
  }

  /**
   * Holds `n` unless a live reservation does. The number may still carry the lock of a reservation that
   * expired and was not wiped yet: that one is wiped here and the insert tried again. Undefined when another
   * ping (another node) holds it.
   */
  private async tryInsert(
    draft: ReservationDraft,
    n: { id: number; number: string },
    expiresAt: number,
    now: number,
  ) {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await this.insert(draft, { status: 'reserved', now, number: n, lockKey: n.number, expiresAt });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        await this.db
          .updateTable('reservations')
          .set({ status: 'expired', wiped_at: now, lock_key: null })
          .where('lock_key', '=', n.number)
          .where('expires_at', '<=', now)
          .execute();
      }
    }
    return undefined;
  }

  /** The pool's next number that no live reservation holds, going round the pool from the last one used. */
  private async freeNumber(pool: Pool, now: number): Promise<{ id: number; number: string } | undefined> {
    const after = this.cursors.get(pool.id) ?? 0;
    const pick = (from: number) =>
      this.db
        .selectFrom('numbers as n')
        .select(['n.id', 'n.number'])
        .where('n.number_pool_id', '=', pool.id)
        .where('n.deleted_at', 'is', null)
        .where('n.id', '>', from)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('reservations as r')
                .select('r.id')
                .whereRef('r.lock_key', '=', 'n.number')
                .where('r.expires_at', '>', now),
            ),
          ),
        )
        .orderBy('n.id')
        .limit(1)
        .executeTakeFirst();
    const n = (await pick(after)) ?? (after > 0 ? await pick(0) : undefined);
    if (n) this.cursors.set(pool.id, n.id);
    return n;
  }

  /**
   * Every number of the pool is held: a new one from the inventory, while the pool is below its maximum.
   * The no-op update locks the pool row first, so nodes provisioning at once cannot overshoot the maximum.
   */
  private async provision(pool: Pool, now: number): Promise<{ id: number; number: string } | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await this.db.transaction().execute(async (tx) => {
          await tx
            .updateTable('number_pools')
            .set((eb) => ({ updated_at: eb.ref('updated_at') }))
            .where('id', '=', pool.id)
            .execute();
          const { count } = await tx
            .selectFrom('numbers')
            .select((eb) => eb.fn.countAll<number>().as('count'))
            .where('number_pool_id', '=', pool.id)
            .where('deleted_at', 'is', null)
            .executeTakeFirstOrThrow();
          if (Number(count) >= pool.max_pool_size) return undefined;
          const number = await this.unusedNumber(tx, pool.type as NumberType, pool.country as NumberCountry);
          return tx
            .insertInto('numbers')
            .values(poolNumber(pool, number, now))
            .returning(['id', 'number'])
            .executeTakeFirstOrThrow();
        });
      } catch (err) {
        // No number left to provision: the ping gets the documented no-number answer, not a 500.
        if (err instanceof InventoryExhausted) return undefined;
        if (!isUniqueViolation(err)) throw err;
      }
    }
    return undefined;
  }

  private async unusedNumber(conn: Conn, type: NumberType, country: NumberCountry) {
    let draws = 0;
    for (const c of candidates({ type, country, desiredText: null }, this.random)) {
      const used = await conn
        .selectFrom('numbers')
        .select('id')
        .where('number', '=', c.number)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!used) return c;
      if (++draws >= 2000) break;
    }
    throw new InventoryExhausted();
  }

  private insert(
    d: ReservationDraft,
    at: {
      status: ReservationStatus;
      now: number;
      number: { id: number; number: string } | null;
      lockKey: string | null;
      expiresAt: number | null;
    },
  ): Promise<Reservation> {
    return this.db
      .insertInto('reservations')
      .values({
        uuid: d.uuid ?? randomUUID(),
        company_id: d.companyId,
        campaign_id: d.campaignId,
        postback_key_id: d.postbackKeyId,
        affiliate_id: d.affiliateId,
        afid: d.afid,
        caller_number: d.callerNumber,
        inbound_number: at.number?.number ?? null,
        number_id: at.number?.id ?? null,
        target_id: at.status === 'no-target' ? null : d.targetId,
        status: at.status,
        tags: JSON.stringify(d.tags),
        payout_cents: at.status === 'no-target' ? null : d.payoutCents,
        seconds: at.status === 'no-target' ? null : d.seconds,
        lock_key: at.lockKey,
        created_at: at.now,
        expires_at: at.expiresAt,
        claimed_at: null,
        wiped_at: null,
        call_uuid: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /**
   * Wipes expired reservations even when no ping comes to do it lazily. One timer, set to the earliest
   * expiry in whole seconds (a busy campaign would otherwise arm one per ping).
   */
  private scheduleSweep(expiresAt: number): void {
    const at = Math.ceil(expiresAt / 1000) * 1000;
    if (this.sweep && this.sweep.at <= at) return;
    this.sweep?.cancel();
    const cancel = this.clock.schedule(at - this.clock.now(), () => this.runSweep());
    this.sweep = { at, cancel };
  }

  private async runSweep(): Promise<void> {
    this.sweep = undefined;
    try {
      await wipeExpired(this.db, this.clock.now());
      const next = await this.db
        .selectFrom('reservations')
        .select((eb) => eb.fn.min('expires_at').as('at'))
        .where('status', '=', 'reserved')
        .executeTakeFirst();
      if (next?.at != null) this.scheduleSweep(Number(next.at));
    } catch {
      // The store closed under a pending sweep (shutdown): pings and claims wipe lazily anyway.
    }
  }
}

function poolNumber(pool: Pool, number: { number: string; tollFree: boolean }, now: number) {
  return {
    company_id: pool.company_id,
    number: number.number,
    toll_free: number.tollFree ? 1 : 0,
    country: pool.type === 'Toll-free' ? 'US' : pool.country,
    campaign_id: pool.campaign_id,
    affiliate_id: pool.affiliate_id,
    sid: null,
    number_pool_id: pool.id,
    greeting_overridden: 0,
    greeting_message: null,
    greeting_voice_gender: null,
    greeting_audio_id: null,
    repeat: null,
    timers_overridden: 0,
    menu_overridden: 0,
    created_at: now,
    updated_at: now,
  };
}

export { type ClaimedReservation, claimReservation, wipeExpired } from '../store/reservation-claims.js';

import { wipeExpired } from '../store/reservation-claims.js';
