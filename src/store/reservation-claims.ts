import type { Conn } from './db.js';

/** Expired reservations become `expired` (wiped now) and give their numbers back to the pool. */
export async function wipeExpired(db: Conn, now: number): Promise<number> {
  const res = await db
    .updateTable('reservations')
    .set({ status: 'expired', wiped_at: now, lock_key: null })
    .where('status', '=', 'reserved')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export interface ClaimedReservation {
  reservationUuid: string;
  targetId: number | null;
  afid: string | null;
  tags: Record<string, string>;
  /** The key's route_only_to_reserved_target: no other buyer is tried. */
  onlyReservedTarget: boolean;
}

/**
 * Called by the engine when a call arrives: when `caller` holds a live reservation of `number`, marks it
 * claimed (the number goes back to the pool) and says whom to dial first and how to tag the call. Another
 * caller, or the same one after expiry, claims nothing; an expired reservation found here is wiped.
 */
export async function claimReservation(
  db: Conn,
  p: { companyId: number; caller: string; number: string; now: number; callUuid?: string },
): Promise<ClaimedReservation | undefined> {
  // A reservation made without a caller number (allow_no_caller_number) is claimed by any caller.
  const row = await db
    .selectFrom('reservations as r')
    .innerJoin('postback_keys as k', 'k.id', 'r.postback_key_id')
    .selectAll('r')
    .select('k.route_only_to_reserved_target')
    .where((eb) => eb.or([eb('r.caller_number', '=', p.caller), eb('r.caller_number', '=', '')]))
    .where('r.status', '=', 'reserved')
    .where('r.company_id', '=', p.companyId)
    .where('r.inbound_number', '=', p.number)
    .orderBy('r.caller_number', 'desc')
    .orderBy('r.id', 'desc')
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.expires_at !== null && row.expires_at <= p.now) {
    await wipeExpired(db, p.now);
    return undefined;
  }
  // Conditional on still being reserved: two calls racing for one reservation, only one claims it.
  const claimed = await db
    .updateTable('reservations')
    .set({ status: 'claimed', claimed_at: p.now, lock_key: null, call_uuid: p.callUuid ?? null })
    .where('id', '=', row.id)
    .where('status', '=', 'reserved')
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return undefined;
  return {
    reservationUuid: row.uuid,
    targetId: row.target_id,
    afid: row.afid,
    tags: JSON.parse(row.tags) as Record<string, string>,
    onlyReservedTarget: row.route_only_to_reserved_target === 1,
  };
}
