import type { Selectable } from 'kysely';
import type { Db } from '../store/db.js';
import type { CallTransfersTable } from '../store/schema-call-control.js';
import type { CallLegsTable } from '../store/schema-calls.js';
import type { ReservationsTable } from '../store/schema-rtb.js';

export type CallLeg = Selectable<CallLegsTable>;
export type CallTransfer = Selectable<CallTransfersTable>;

/** The RTB reservation a call claimed, with the postback key that made it. */
export interface ClaimedBy {
  reservation: Selectable<ReservationsTable>;
  postbackKey: { id: number; name: string | null; action: string; revoked: boolean };
}

/** Everything else the engine recorded about a call (the V3 representation). */
export interface CallDetails {
  legs: CallLeg[];
  transfers: CallTransfer[];
  claimed: ClaimedBy | null;
}

const EMPTY = (): CallDetails => ({ legs: [], transfers: [], claimed: null });

/** Legs, transfers and the claimed reservation of several calls, three queries in all. */
export async function callDetails(
  db: Db,
  companyId: number,
  uuids: string[],
): Promise<Map<string, CallDetails>> {
  const out = new Map<string, CallDetails>(uuids.map((u) => [u, EMPTY()]));
  if (!uuids.length) return out;
  const [legs, transfers, reservations] = await Promise.all([
    db
      .selectFrom('call_legs')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('call_uuid', 'in', uuids)
      .orderBy('started_at')
      // The caller's leg and the first dial may start in the same millisecond: inbound first.
      .orderBy('direction')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('call_transfers')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('call_uuid', 'in', uuids)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('reservations as r')
      .innerJoin('postback_keys as k', 'k.id', 'r.postback_key_id')
      .selectAll('r')
      .select(['k.name as key_name', 'k.action as key_action', 'k.revoked_at as key_revoked_at'])
      .where('r.company_id', '=', companyId)
      .where('r.call_uuid', 'in', uuids)
      .execute(),
  ]);
  for (const l of legs) out.get(l.call_uuid)?.legs.push(l);
  for (const t of transfers) out.get(t.call_uuid)?.transfers.push(t);
  for (const { key_name, key_action, key_revoked_at, ...r } of reservations) {
    const d = r.call_uuid ? out.get(r.call_uuid) : undefined;
    if (d)
      d.claimed = {
        reservation: r,
        postbackKey: {
          id: r.postback_key_id,
          name: key_name,
          action: key_action,
          revoked: key_revoked_at !== null,
        },
      };
  }
  return out;
}
