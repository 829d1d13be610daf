/**
 * Party-level control of a live call (RingCentral's telephony session parties), as the engine offers it.
 * The face checks that the session and party exist and belong to the account; the engine checks that the
 * call is still live and answers `CallControlError('call not live')` otherwise.
 */
export interface PartyRef {
  companyId: number;
  callUuid: string;
  legId: string;
  direction: 'inbound' | 'outbound';
  /** The number the leg was dialled to (what leg events carry). */
  to: string;
}

export type RecordAction = 'start' | 'pause' | 'resume' | 'stop';

export interface PartyControl {
  hold(party: PartyRef): Promise<void>;
  /** Parks the party: held, and recorded as parked (the sim has no park orbit to move it to). */
  park(party: PartyRef): Promise<void>;
  unhold(party: PartyRef): Promise<void>;
  mute(party: PartyRef, on: boolean): Promise<void>;
  /** The party leaves the call; the caller's leaving ends it. */
  drop(party: PartyRef): Promise<void>;
  /**
   * Ends the whole call, whatever state it is in (a placed call still ringing its first phone has no
   * caller to drop): every leg is hung up or cancelled, and the record says the system ended it.
   */
  end(companyId: number, callUuid: string, reason: string): Promise<void>;
  /** Stops a ringing party's phone: the call goes on as if it had refused (next target, or the end). */
  reject(party: PartyRef): Promise<void>;
  /** A ringing party's phone stops and `to` rings in its place (the same dial: target, ring time). */
  forward(party: PartyRef, to: string): Promise<void>;
  /**
   * A ringing party's phone answers now. The simulated network's phones do; a SIP phone answers by
   * itself, so over SIP nothing happens until it does.
   */
  answer(party: PartyRef): Promise<void>;
  /** Blind transfer: the party's peer is sent to `to` (held meanwhile) and the party leaves. */
  transfer(party: PartyRef, to: string): Promise<void>;
  record(companyId: number, callUuid: string, action: RecordAction): Promise<void>;
}

export type PartyAction =
  | 'hold'
  | 'unhold'
  | 'mute'
  | 'drop'
  | 'transfer'
  | 'forward'
  | 'reject'
  | 'ignore'
  | 'answer'
  | 'record'
  | 'park'
  | 'pickup';

/** Which engine leg statuses each action accepts (RingCentral answers 409 for the others). */
const ALLOWED: Record<PartyAction, readonly string[]> = {
  hold: ['answered'],
  unhold: ['hold', 'parked'],
  mute: ['answered', 'hold', 'parked'],
  drop: ['ringing', 'answered', 'hold', 'parked', 'voicemail'],
  transfer: ['answered', 'hold', 'parked'],
  // Forward, reject and ignore act before answer only (the seed: "Setup and Proceeding states only").
  forward: ['setup', 'ringing'],
  reject: ['setup', 'ringing'],
  ignore: ['setup', 'ringing'],
  answer: ['setup', 'ringing'],
  record: ['answered', 'hold'],
  park: ['answered', 'hold'],
  pickup: ['parked', 'hold'],
};

export function partyActionAllowed(action: PartyAction, legStatus: string): boolean {
  return ALLOWED[action].includes(legStatus);
}
