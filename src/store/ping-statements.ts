import { type Selectable, sql } from 'kysely';
import type { Db } from './db.js';
import { Prepared } from './prepared.js';
import type { ReservationsTable } from './schema-rtb.js';

type Reservation = Selectable<ReservationsTable>;

/** What a ping checks its caches against, read in the statement it needs anyway. */
export interface Versions {
  /** The company's configuration version (config_changes, migration 0071); null before any change. */
  config: number | null;
  /** The newest cap hit of any company: cap usage changed when it moves. */
  hits: number | null;
}

export interface ShieldRead extends Versions {
  /** The caller's newest live reservation on the campaign, if any. */
  live: Reservation | undefined;
}

/** A pool reservation as the one INSERT writes it. */
export interface PoolReservation {
  uuid: string;
  companyId: number;
  campaignId: number;
  postbackKeyId: number;
  affiliateId: number | null;
  afid: string | null;
  callerNumber: string;
  targetId: number | null;
  tags: string;
  payoutCents: number | null;
  seconds: number | null;
  poolId: number;
  /** The pool's number id handed out last: the search starts after it. */
  after: number;
  now: number;
  expiresAt: number;
}

type VersionRow = { config: number | string | null; hits: number | string | null };

/** How many numbers after the last one handed out the one INSERT looks at before the general path takes over. */
const LOOK_AHEAD = 16;

const num = (v: number | string | null) => (v === null ? null : Number(v));

/**
 * The statements every RTB ping runs, compiled once (src/store/prepared.ts). A ping that reserves a
 * pool number costs two: one read (cache versions and the ping shield together) and one write (the
 * reservation, with its number picked inside the INSERT).
 */
export class PingStatements {
  private readonly versionsOnly: Prepared<{ companyId: number }, VersionRow>;
  private readonly shield: Prepared<
    { companyId: number; campaignId: number; caller: string; now: number },
    VersionRow & Record<string, unknown>
  >;
  private readonly poolInsert: Prepared<PoolReservation, Reservation>;

  constructor(db: Db) {
    const versions = (companyId: unknown) =>
      sql`(SELECT max(id) FROM config_changes WHERE company_id = ${companyId}) AS config, (SELECT max(id) FROM cap_hits) AS hits`;
    this.versionsOnly = new Prepared(db, (p) => sql<VersionRow>`SELECT ${versions(p.companyId)}`);
    // The shield's row joined to a one-row table of the versions, so there is a row when it has none.
    this.shield = new Prepared(
      db,
      (p) => sql<VersionRow & Record<string, unknown>>`SELECT v.config, v.hits, r.*
        FROM (SELECT ${versions(p.companyId)}) v
        LEFT JOIN reservations r ON r.id = (
          SELECT id FROM reservations
          WHERE caller_number = ${p.caller} AND status = 'reserved' AND campaign_id = ${p.campaignId}
            AND expires_at > ${p.now}
          ORDER BY id DESC LIMIT 1)`,
    );
    // Casts: PostgreSQL types a SELECT list's parameters as text unless told. The search is written so
    // no plan can read the whole pool: the next LOOK_AHEAD numbers in id order (numbers_pool_order), each
    // probed on the lock_key index (`OFFSET 0` keeps the NOT EXISTS a probe; PostgreSQL otherwise makes
    // it an anti-join, which with thin statistics — a pool filled since the last ANALYZE — it ran as a
    // scan of reservations per number of the pool, 600 ms a ping for 7,000 numbers).
    this.poolInsert = new Prepared(
      db,
      (p) => sql<Reservation>`INSERT INTO reservations (uuid, company_id, campaign_id, postback_key_id,
          affiliate_id, afid, caller_number, inbound_number, number_id, target_id, status, tags,
          payout_cents, seconds, lock_key, created_at, expires_at, claimed_at, wiped_at, call_uuid)
        SELECT CAST(${p.uuid} AS text), CAST(${p.companyId} AS integer), CAST(${p.campaignId} AS integer),
          CAST(${p.postbackKeyId} AS integer), CAST(${p.affiliateId} AS integer), CAST(${p.afid} AS text),
          CAST(${p.callerNumber} AS text), n.number, n.id, CAST(${p.targetId} AS integer), 'reserved',
          CAST(${p.tags} AS text), CAST(${p.payoutCents} AS bigint), CAST(${p.seconds} AS integer),
          n.number, CAST(${p.now} AS bigint), CAST(${p.expiresAt} AS bigint), NULL, NULL, NULL
        FROM (SELECT id, number FROM numbers
          WHERE number_pool_id = ${p.poolId} AND deleted_at IS NULL AND id > ${p.after}
          ORDER BY id LIMIT ${LOOK_AHEAD}) n
        WHERE NOT EXISTS (SELECT 1 FROM reservations r WHERE r.lock_key = n.number AND r.expires_at > ${p.now}
          LIMIT 1 OFFSET 0)
        ORDER BY n.id LIMIT 1
        ON CONFLICT DO NOTHING
        RETURNING *`,
    );
  }

  async versions(companyId: number): Promise<Versions> {
    const row = await this.versionsOnly.first({ companyId });
    return { config: num(row?.config ?? null), hits: num(row?.hits ?? null) };
  }

  /** The versions and the caller's live reservation on the campaign, in one read. */
  async shieldRead(p: { companyId: number; campaignId: number; caller: string; now: number }) {
    const row = (await this.shield.first(p))!;
    const { config, hits, ...reservation } = row;
    return {
      config: num(config),
      hits: num(hits),
      live: reservation.id === null ? undefined : (reservation as unknown as Reservation),
    } satisfies ShieldRead;
  }

  /**
   * Holds the pool's first number after `after` that no live reservation holds, in one INSERT.
   * Undefined when there is none among the LOOK_AHEAD numbers after `after`, or when the number still carries an expired lock or
   * another node took it meanwhile (the unique lock_key): the caller then takes the general path.
   */
  async reserveFromPool(r: PoolReservation): Promise<Reservation | undefined> {
    return this.poolInsert.first(r);
  }
}
