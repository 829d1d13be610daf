import { DomainError } from './errors.js';

/**
 * Errors of live call control, each with the exact message Retreaver's Call Control API documents
 * (`{"success": false, "error": "<message>"}`).
 */
export type CallControlCode =
  | 'call not live'
  | 'cannot dial transfer_to number'
  | 'call already transferred'
  | 'not authorized'
  | 'caller hung up'
  | 'caller not held'
  | 'transfer not found'
  | 'transfer not in progress'
  | 'transferor not present'
  | 'call not returnable'
  | 'call not awaiting acceptance'
  /** A party action for a ringing phone (forward, answer) on a leg no dial step rings now. */
  | 'party not ringing'
  /** The network did not carry out a command (hold, bridge, conference, dial); the call is unchanged. */
  | 'telephony failure';

export class CallControlError extends DomainError {
  readonly code = 'call_control';
  constructor(readonly reason: CallControlCode) {
    super(reason);
  }
}

export type CallControlAction =
  | 'active_calls'
  | 'transfer'
  | 'conference_caller'
  | 'stop_transfer'
  | 'return'
  | 'accept';

export const CALL_CONTROL_ACTIONS: readonly CallControlAction[] = [
  'active_calls',
  'transfer',
  'conference_caller',
  'stop_transfer',
  'return',
  'accept',
];

/** What a call-control key reaches: one target (contact handler) or one target group (handler group). */
export interface KeyScope {
  keyId: number;
  companyId: number;
  targetId: number | null;
  targetGroupId: number | null;
  /** Ids of the targets the key reaches: the target, or the group's members. */
  targetIds: number[];
  /** Numbers of those targets: a transferred call is reached by the key of the endpoint it went to. */
  numbers: string[];
  actions: CallControlAction[];
  returnTimeoutSeconds: number;
  /**
   * Set when no key was given and the transfer's own uuid authorizes the request (conference the caller,
   * stop the transfer: the seed's curl sends no key). Such a scope reaches that one transfer only.
   */
  transferUuid?: string;
}

/** The engine's side of call control; the API face calls these and maps CallControlError to its shape. */
export interface CallControl {
  transfer(
    callUuid: string,
    scope: KeyScope,
    req: { holdCaller: boolean; transferTo: string },
  ): Promise<{ transferUuid: string }>;
  conferenceCaller(transferUuid: string, scope: KeyScope): Promise<void>;
  stopTransfer(transferUuid: string, scope: KeyScope): Promise<void>;
  returnCall(callUuid: string, scope: KeyScope): Promise<void>;
  acceptCall(callUuid: string, scope: KeyScope): Promise<void>;
}
