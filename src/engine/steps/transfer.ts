import { randomUUID } from 'node:crypto';
import { CallControlError } from '../../domain/call-control.js';
import { billableMinutes, chargeTotal, secondsBetween } from '../../domain/call-durations.js';
import type { LegId } from '../../telephony/driver.js';
import { CallRecord } from '../call-record.js';
import { errorText } from '../commands.js';
import type { CallSession } from '../session.js';
import { RING_MARGIN_MS } from './dial.js';

export type TransferStatus = 'dialing' | 'answered' | 'conferenced' | 'stopped' | 'failed' | 'ended';

/** A transfer of a live call to another number: its own outbound leg and its own (downstream) call record. */
export interface Transfer {
  uuid: string;
  leg: LegId;
  to: string;
  hold: boolean;
  status: TransferStatus;
  record: CallRecord;
  /** The originate of the transferee's leg (its outcome events echo it). */
  cmd: string;
  /** When the engine stops waiting for the transferee to answer. */
  giveUpAt: number;
  /** The transferee's phone was reported ringing (recorded once). */
  rang?: boolean;
}

const TRANSFER_TIMEOUT_S = 30;

/** Dials the transferee and writes the downstream call, linked both ways to the caller's call. */
export async function startTransfer(
  s: CallSession,
  to: string,
  hold: boolean,
  keyId: number,
  transferorLeg: LegId | null,
): Promise<Transfer> {
  const { store } = s.deps;
  const now = s.now();
  const uuid = randomUUID();
  const leg = randomUUID();
  const parent = s.record.row;
  const record = await CallRecord.create(store, {
    ...parent,
    id: undefined,
    uuid: randomUUID(),
    status: 'in-progress',
    upstream_call_uuid: s.uuid,
    downstream_call_uuids: '[]',
    dialed_number: to,
    target_id: null,
    tid: null,
    target_name: null,
    target_group_id: null,
    target_group_name: null,
    start_time: now,
    forwarded_time: now,
    connected_time: null,
    end_time: null,
    ivr_started_at: null,
    ivr_ended_at: null,
    connected: 0,
    hung_up_by: null,
    via: 'transfer',
    created_at: now,
    updated_at: now,
  });
  const downstream = [...JSON.parse(String(parent.downstream_call_uuids ?? '[]')), record.uuid];
  await s.save({ downstream_call_uuids: JSON.stringify(downstream) }, 'transfer');
  await store.createTransfer({
    id: uuid,
    company_id: s.companyId,
    call_uuid: s.uuid,
    downstream_call_uuid: record.uuid,
    transfer_to: to,
    hold_caller: hold ? 1 : 0,
    status: 'dialing',
    leg_id: leg,
    transferor_leg_id: transferorLeg,
    created_by_key_id: keyId,
    created_at: now,
  });
  s.ownLeg(leg);
  const from = s.callerNumberSent ?? s.caller;
  await store.insertLeg({
    id: leg,
    callUuid: record.uuid,
    companyId: s.companyId,
    direction: 'outbound',
    from,
    to,
    at: now,
  });
  const cmd = s.expect();
  const t: Transfer = {
    uuid,
    leg,
    to,
    hold,
    status: 'dialing',
    record,
    cmd,
    giveUpAt: now + TRANSFER_TIMEOUT_S * 1000 + RING_MARGIN_MS,
  };
  try {
    await s.tel.originate(cmd, { leg, callUuid: s.uuid, to, from, timeoutS: TRANSFER_TIMEOUT_S });
  } catch (err) {
    s.giveUp(cmd);
    s.deps.logger.warn({ call: s.uuid, err: errorText(err) }, 'transfer dial failed');
    await transferEnded(s, t, 'failed', 'system');
    throw new CallControlError('telephony failure');
  }
  s.flow('dialled', { leg_id: leg, to, transfer_uuid: uuid, status: 'dialing' });
  return t;
}

/** The transferee's phone rings: a call-flow event, once. */
export function transferRinging(s: CallSession, t: Transfer): void {
  if (t.rang || t.status !== 'dialing') return;
  t.rang = true;
  s.flow('ringing', { leg_id: t.leg, to: t.to, transfer_uuid: t.uuid, status: 'ringing' });
}

export async function transferAnswered(s: CallSession, t: Transfer): Promise<void> {
  const now = s.now();
  t.status = 'answered';
  await t.record.save({ connected: 1, connected_time: now }, now);
  await s.legChanged(t.leg, 'outbound', t.to, { status: 'answered', answered_at: now });
  await s.deps.store.updateTransfer(t.uuid, { status: 'answered', answered_at: now });
}

/**
 * Closes the transfer and its downstream record with the durations it had. `legOutcome` is what the
 * network said of an unanswered transferee (`busy`, `no-answer`), kept on its leg as any dial's is.
 */
export async function transferEnded(
  s: CallSession,
  t: Transfer,
  status: Exclude<TransferStatus, 'dialing' | 'answered' | 'conferenced'>,
  hungUpBy: 'caller' | 'target' | 'system',
  legOutcome?: string,
): Promise<void> {
  const now = s.now();
  const r = t.record.row;
  const secs = secondsBetween;
  const total = secs(r.start_time, now);
  const billable = billableMinutes(total);
  t.status = status;
  await t.record.save(
    {
      status: r.connected ? 'finished' : 'no-target',
      hung_up_by: hungUpBy,
      end_time: now,
      total_duration: total,
      dialed_call_duration: secs(r.connected_time, now),
      hold_duration: secs(r.start_time, r.connected_time ?? now),
      time_to_connect_in_seconds: secs(r.start_time, r.connected_time ?? now),
      billable_minutes: billable,
      charge_total: chargeTotal(billable, s.deps.ratePerMinute),
    },
    now,
  );
  s.forgetLeg(t.leg);
  await s.legChanged(t.leg, 'outbound', t.to, {
    status: r.connected ? 'ended' : (legOutcome ?? status),
    ended_at: now,
    hung_up_by: hungUpBy,
  });
  await s.deps.store.updateTransfer(t.uuid, { status, ended_at: now });
}
