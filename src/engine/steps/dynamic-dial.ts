import type { Lease } from '../../live/live-state.js';
import type { TargetInfo } from '../../store/routing-inputs.js';
import { INBOUND_NUMBER_TAG, type PingCall, pingBuyer, RESERVATION_TAG } from '../dynamic-buyer.js';
import type { CallSession } from '../session.js';

interface Dialable {
  to: string;
  target: TargetInfo | null;
  lease?: Lease;
  reservationUuid?: string;
}

/**
 * Gives every dynamic buyer among `dials` the number its ping returned (all pinged at once: the caller
 * is waiting). A buyer without a number is left out and gives its slots back, as a failed dial would.
 */
export async function resolveDynamic<D extends Dialable>(s: CallSession, dials: D[]): Promise<D[]> {
  const resolved = await Promise.all(dials.map((d) => (isDynamic(d) ? withPingedNumber(s, d) : d)));
  return resolved.filter((d): d is Awaited<D> => d !== undefined);
}

function isDynamic(d: Dialable): boolean {
  return d.to === INBOUND_NUMBER_TAG && !!d.target?.pingUrl;
}

async function withPingedNumber<D extends Dialable>(s: CallSession, d: D): Promise<D | undefined> {
  const found = await pingBuyer(s.deps.fetchPing, d.target!.pingUrl!, pingCall(s));
  if (!found) {
    await d.lease?.release();
    return undefined;
  }
  return { ...d, to: found.number, reservationUuid: found.reservationUuid ?? undefined };
}

function pingCall(s: CallSession): PingCall {
  const r = s.record.row;
  return {
    // The buyer reserves for the caller id its inbound call will show, which is the one we send.
    callerNumber: s.callerNumberSent ?? s.caller,
    publisherId: s.ctx.affiliate?.afid ?? 'switchboard',
    tags: s.tags,
    facts: {
      campaignCid: (r.cid as string | null) ?? null,
      subId: (r.sid as string | null) ?? null,
      calledNumber: String(r.number),
      callUuid: s.uuid,
    },
  };
}

/** The answering leg went to a dynamic buyer: the call keeps that buyer's reservation uuid as a tag. */
export async function noteReservation(s: CallSession, uuid: string | undefined): Promise<void> {
  if (!uuid) return;
  s.tags = { ...s.tags, [RESERVATION_TAG]: uuid };
  await s.save({ tags: JSON.stringify(s.tags) }, 'dynamic-buyer');
}
