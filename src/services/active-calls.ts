import type { KeyScope } from '../domain/call-control.js';
import type { Db } from '../store/db.js';
import type { CallTransferStatus } from '../store/schema-call-control.js';

/** One in-progress call as a call-control key sees it. */
export interface ActiveCall {
  callUuid: string;
  callerNumber: string;
  callerNumberSent: string;
  dialedOutNumber: string | null;
  startedAt: number;
  dialedOutAt: number | null;
}

/** Transfers whose outbound leg is still with the transferee: it may act on the call. */
const LIVE_TRANSFER: CallTransferStatus[] = ['dialing', 'answered', 'conferenced'];

/**
 * In-progress calls the key reaches: routed to one of its targets, or transferred (and still there) to
 * one of its numbers. A transferred call shows the transfer as its dial-out, since that is what the
 * transferee saw. Newest dial-out first; a call reached both ways is shown once, by its newest dial-out.
 * Unpaged: a key's live calls are bounded by its targets' concurrency.
 */
export async function activeCalls(db: Db, scope: KeyScope, callerNumber?: string): Promise<ActiveCall[]> {
  const byUuid = new Map<string, ActiveCall>();
  const keep = (c: ActiveCall) => {
    const seen = byUuid.get(c.callUuid);
    if (!seen || (c.dialedOutAt ?? 0) > (seen.dialedOutAt ?? 0)) byUuid.set(c.callUuid, c);
  };
  for (const c of await routedCalls(db, scope, callerNumber)) keep(c);
  for (const c of await transferredCalls(db, scope, callerNumber)) keep(c);
  return [...byUuid.values()].sort(
    (a, b) =>
      (b.dialedOutAt ?? -1) - (a.dialedOutAt ?? -1) ||
      b.startedAt - a.startedAt ||
      (a.callUuid < b.callUuid ? -1 : 1),
  );
}

function baseQuery(db: Db, scope: KeyScope, callerNumber: string | undefined) {
  let q = db
    .selectFrom('calls')
    .where('calls.company_id', '=', scope.companyId)
    .where('calls.status', '=', 'in-progress');
  if (callerNumber !== undefined) {
    q = q.where((eb) =>
      eb.or([eb('calls.caller', '=', callerNumber), eb('calls.caller_number_sent', '=', callerNumber)]),
    );
  }
  return q;
}

async function routedCalls(db: Db, scope: KeyScope, callerNumber: string | undefined): Promise<ActiveCall[]> {
  if (scope.targetIds.length === 0) return [];
  const rows = await baseQuery(db, scope, callerNumber)
    .select(['uuid', 'caller', 'caller_number_sent', 'dialed_number', 'start_time', 'forwarded_time'])
    .where('calls.target_id', 'in', scope.targetIds)
    .execute();
  return rows.map((r) => ({
    callUuid: r.uuid,
    callerNumber: r.caller,
    callerNumberSent: r.caller_number_sent ?? r.caller,
    dialedOutNumber: r.dialed_number,
    startedAt: r.start_time,
    dialedOutAt: r.forwarded_time,
  }));
}

async function transferredCalls(
  db: Db,
  scope: KeyScope,
  callerNumber: string | undefined,
): Promise<ActiveCall[]> {
  if (scope.numbers.length === 0) return [];
  const rows = await baseQuery(db, scope, callerNumber)
    .innerJoin('call_transfers', 'call_transfers.call_uuid', 'calls.uuid')
    .select([
      'calls.uuid',
      'calls.caller',
      'calls.caller_number_sent',
      'calls.start_time',
      'call_transfers.transfer_to',
      'call_transfers.created_at as transferred_at',
    ])
    .where('call_transfers.company_id', '=', scope.companyId)
    .where('call_transfers.transfer_to', 'in', scope.numbers)
    .where('call_transfers.status', 'in', LIVE_TRANSFER)
    .execute();
  return rows.map((r) => ({
    callUuid: r.uuid,
    callerNumber: r.caller,
    callerNumberSent: r.caller_number_sent ?? r.caller,
    dialedOutNumber: r.transfer_to,
    startedAt: r.start_time,
    dialedOutAt: r.transferred_at,
  }));
}
