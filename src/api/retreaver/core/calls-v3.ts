import { fromCents } from '../../../domain/money.js';
import type { CallDetails, CallLeg, CallTransfer, ClaimedBy } from '../../../services/call-details.js';
import type { CallWithPixels } from '../../../services/calls.js';
import type { Services } from '../../../services/index.js';
import { callLogRoutes } from './calls.js';
import { callsWithPixels } from './calls-v2.js';
import { bool, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { presentCallV2 } from './present-call.js';
import { CallsV3 } from './responses-calls.js';

/**
 * Calls V3 (Retreaver's current reference: "V3 follows the same behavior as V2 … it will return the most
 * information"): the V2 representation, same filters and paging, plus the call's legs, transfers, and
 * the reservation (with its postback key) the call claimed.
 */
export async function callV3Routes(app: CoreApp, { calls, callFlow }: Pick<Services, 'calls' | 'callFlow'>) {
  await callLogRoutes(app, callFlow, {
    path: '/api/v3/calls',
    tag: 'Calls V3',
    suffix: ' (V3)',
    schemas: CallsV3,
    ...callsWithPixels(calls),
    presenter: async (companyId, items) => {
      const details = await calls.details(
        companyId,
        items.map((c) => c.call.uuid),
      );
      const now = calls.now();
      return (c) => presentCallV3(c, details.get(c.call.uuid), now);
    },
  });
}

export function presentCallV3(c: CallWithPixels, d: CallDetails | undefined, now: number) {
  const v2 = presentCallV2(c, now);
  return {
    call: {
      ...v2.call,
      legs: (d?.legs ?? []).map(presentLeg),
      transfers: (d?.transfers ?? []).map(presentTransfer),
      reservation: d?.claimed ? presentReservation(d.claimed) : null,
      postback_key: d?.claimed
        ? {
            id: d.claimed.postbackKey.id,
            name: d.claimed.postbackKey.name,
            action: d.claimed.postbackKey.action,
            revoked: d.claimed.postbackKey.revoked,
          }
        : null,
    },
  };
}

function presentLeg(l: CallLeg) {
  return {
    leg: {
      id: l.id,
      direction: l.direction,
      from: l.from_number,
      to: l.to_number,
      target_id: l.target_id,
      target_group_id: l.target_group_id,
      status: l.status,
      started_at: time(l.started_at),
      answered_at: time(l.answered_at),
      ended_at: time(l.ended_at),
      hung_up_by: l.hung_up_by,
      end_reason: l.end_reason,
    },
  };
}

function presentTransfer(t: CallTransfer) {
  return {
    transfer: {
      transfer_uuid: t.id,
      transfer_to: t.transfer_to,
      hold_caller: bool(t.hold_caller),
      status: t.status,
      downstream_call_uuid: t.downstream_call_uuid,
      created_at: time(t.created_at),
      answered_at: time(t.answered_at),
      ended_at: time(t.ended_at),
    },
  };
}

function presentReservation({ reservation: r }: ClaimedBy) {
  return {
    uuid: r.uuid,
    status: r.status,
    caller_number: r.caller_number || null,
    inbound_number: r.inbound_number,
    afid: r.afid,
    target_id: r.target_id,
    payout: r.payout_cents === null ? null : fromCents(r.payout_cents),
    seconds: r.seconds,
    tags: JSON.parse(r.tags) as Record<string, string>,
    created_at: time(r.created_at),
    expires_at: time(r.expires_at),
    claimed_at: time(r.claimed_at),
  };
}
