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
export function partyStatus(leg: Pick<LegRow, 'status'>): { code: PartyCode; reason?: string } {
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
      return { code: 'Disconnected', reason: 'Cancelled' };
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
 * One leg as a `CallParty`. The caller's leg placed the call (Outbound); a leg the engine dialled rings
 * a phone (Inbound), and belongs to the person whose phone it rang.
 */
export function presentParty(view: SessionView, leg: LegRow, flags: PartyFlags) {
  const owner = view.owners.get(leg.id);
  const inboundToUs = leg.direction === 'outbound';
  const caller = view.legs.find((l) => l.direction === 'inbound');
  const callerOwner = caller ? view.owners.get(caller.id) : undefined;
  const status = partyStatus(leg);
  return {
    id: leg.id,
    direction: inboundToUs ? 'Inbound' : 'Outbound',
    from: inboundToUs ? endpoint(leg.from_number, callerOwner) : endpoint(leg.from_number, owner),
    to: inboundToUs ? endpoint(leg.to_number, owner) : endpoint(leg.to_number, undefined),
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
    ...(flags.recordings.length ? { recordings: flags.recordings } : {}),
    ...(leg.status === 'parked' ? { park: { id: `park-${leg.id}` } } : {}),
  };
}

export function presentSession(view: SessionView, flagsOf: (legId: string) => PartyFlags) {
  return {
    id: view.call.uuid,
    creationTime: new Date(view.call.start_time).toISOString(),
    origin: { type: 'Call' },
    parties: view.legs.map((l) => presentParty(view, l, flagsOf(l.id))),
  };
}
