import type { LegRow, PartyFlags, SessionView } from '../../services/telephony-sessions.js';
import type { Person } from '../../services/users.js';
import { displayName } from './account.js';

export type PartyCode =
  | 'Setup'
  | 'Proceeding'
  | 'Answered'
  | 'Hold'
  | 'Parked'
  | 'VoiceMail'
  | 'Disconnected';

/** The engine's leg status as RingCentral's party status (and reason, when it ended). */
export function partyStatus(leg: Pick<LegRow, 'status'> & Partial<Pick<LegRow, 'end_reason'>>): {
  code: PartyCode;
  reason?: string;
} {
  switch (leg.status) {
    case 'setup':
      return { code: 'Setup' };
    case 'ringing':
      return { code: 'Proceeding' };
    case 'answered':
      return { code: 'Answered' };
    case 'hold':
      return { code: 'Hold' };
    case 'parked':
      return { code: 'Parked' };
    case 'voicemail':
      return { code: 'VoiceMail' };
    case 'busy':
      return { code: 'Disconnected', reason: 'TargetBusy' };
    case 'no-answer':
      return { code: 'Disconnected', reason: 'NoAnswer' };
    case 'rejected':
      return { code: 'Disconnected', reason: 'Rejected' };
    case 'cancelled':
      // A forwarded party's ringing was cancelled for the number it was sent to.
      return {
        code: 'Disconnected',
        reason: leg.end_reason?.startsWith('forwarded to ') ? 'CallRedirected' : 'Cancelled',
      };
    case 'failed':
      return { code: 'Disconnected', reason: 'InternalError' };
    default:
      return { code: 'Disconnected', reason: 'CallFinished' };
  }
}

const endpoint = (number: string, person: Person | undefined) => ({
  phoneNumber: number,
  ...(person ? { name: displayName(person), extensionId: String(person.id) } : {}),
});

/**
 * Whether the party placed the call (Outbound) or is rung by it (Inbound). The caller's leg of an
 * arriving call placed it; a leg the engine dialled rings a phone — except the first leg of a call-out or
 * ring-out, which is the placing user's own party.
 */
export function partyDirection(view: SessionView, leg: LegRow): 'Inbound' | 'Outbound' {
  if (leg.id === view.origin.firstLegId) return 'Outbound';
  return leg.direction === 'outbound' ? 'Inbound' : 'Outbound';
}

/** Who placed the call: the caller's leg of an arriving call, the user's first leg of a placed one. */
function placingLeg(view: SessionView): LegRow | undefined {
  const first = view.origin.firstLegId;
  return view.legs.find((l) => (first ? l.id === first : l.direction === 'inbound'));
}

/**
 * One leg as a `CallParty`. The caller's leg placed the call (Outbound); a leg the engine dialled rings
 * a phone (Inbound), and belongs to the person whose phone it rang. The first leg of a call-out or
 * ring-out is the user's party calling the destination: from their device, to the destination.
 */
export function presentParty(view: SessionView, leg: LegRow, flags: PartyFlags) {
  const owner = view.owners.get(leg.id);
  const direction = partyDirection(view, leg);
  const placing = placingLeg(view);
  const placer = placing ? view.owners.get(placing.id) : undefined;
  const status = partyStatus(leg);
  const isFirst = leg.id === view.origin.firstLegId;
  let from = endpoint(leg.from_number, direction === 'Inbound' ? placer : owner);
  let to = endpoint(leg.to_number, direction === 'Inbound' ? owner : undefined);
  if (isFirst) {
    const dest = view.legs.find((l) => l.id !== leg.id && l.to_number === view.call.number);
    from = endpoint(leg.to_number, owner);
    to = endpoint(view.call.number, dest ? view.owners.get(dest.id) : undefined);
  }
  return {
    id: leg.id,
    direction,
    from,
    to,
    status,
    muted: flags.muted,
    standAlone: false,
    ...(owner
      ? {
          accountId: String(view.call.company_id),
          extensionId: String(owner.id),
          owner: { accountId: String(view.call.company_id), extensionId: String(owner.id) },
        }
      : { accountId: String(view.call.company_id) }),
    ...(view.origin.type === 'RingOut' ? { ringOutRole: isFirst ? 'Initiator' : 'Target' } : {}),
    ...(view.origin.type === 'Conference' ? { conferenceRole: 'Participant' } : {}),
    ...(flags.recordings.length ? { recordings: flags.recordings } : {}),
    ...(leg.status === 'parked' ? { park: { id: `park-${leg.id}` } } : {}),
  };
}

export function presentSession(view: SessionView, flagsOf: (legId: string) => PartyFlags) {
  return {
    id: view.call.uuid,
    creationTime: new Date(view.call.start_time).toISOString(),
    origin: { type: view.origin.type },
    ...(view.origin.voiceCallToken ? { voiceCallToken: view.origin.voiceCallToken } : {}),
    parties: view.legs.map((l) => presentParty(view, l, flagsOf(l.id))),
  };
}

type CallingStatus =
  | 'InProgress'
  | 'Success'
  | 'Busy'
  | 'NoAnswer'
  | 'Rejected'
  | 'GenericError'
  | 'Finished';

/** One side of a ring-out, from its leg (none yet: waiting for the other side, or never dialled). */
function sideStatus(leg: LegRow | undefined, live: boolean): CallingStatus {
  if (!leg) return live ? 'InProgress' : 'Finished';
  switch (leg.status) {
    case 'setup':
    case 'ringing':
      return 'InProgress';
    case 'answered':
    case 'hold':
    case 'parked':
    case 'voicemail':
      return 'Success';
    case 'busy':
      return 'Busy';
    case 'no-answer':
      return 'NoAnswer';
    case 'rejected':
      return 'Rejected';
    case 'failed':
      return 'GenericError';
    case 'cancelled':
      return 'Finished';
    default:
      return leg.answered_at != null ? 'Finished' : 'NoAnswer';
  }
}

/**
 * A ring-out's `status`: the caller's side (the first phone), the callee's, and the call's — in progress
 * until both answered, then Success; once over, Finished if they talked, else the side that failed.
 */
export function ringOutStatus(view: SessionView) {
  const live = view.call.status === 'in-progress';
  const first = view.legs.find((l) => l.id === view.origin.firstLegId);
  const second = view.legs.filter((l) => l.id !== first?.id).at(-1);
  const callerStatus = sideStatus(first, live);
  const calleeStatus = sideStatus(second, live && callerStatus !== 'NoAnswer');
  const talked = first?.answered_at != null && second?.answered_at != null;
  let callStatus: CallingStatus;
  if (live) callStatus = talked ? 'Success' : 'InProgress';
  else if (talked) callStatus = 'Finished';
  else callStatus = first?.answered_at == null ? callerStatus : calleeStatus;
  return { callStatus, callerStatus, calleeStatus };
}
