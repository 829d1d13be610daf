import type { Generated } from 'kysely';
import type { CallControlAction } from '../domain/call-control.js';

/** How a target's calls may be taken back: see docs/compat.md, "Call Control API". */
export type LiveCallMode = 'return' | 'acceptance';

/**
 * A Call Control API key: scoped to one target or one target group and a set of actions. Only the
 * sha256 of the key is kept; `key_prefix` (its first 8 characters) lets people tell keys apart.
 */
export interface CallControlKeysTable {
  id: Generated<number>;
  company_id: number;
  name: string | null;
  key_hash: string;
  key_prefix: string;
  target_id: number | null;
  target_group_id: number | null;
  /** Comma-separated CallControlAction names. */
  actions: string;
  return_timeout_seconds: number;
  created_at: number;
  revoked_at: number | null;
}

export type CallTransferStatus = 'dialing' | 'answered' | 'conferenced' | 'stopped' | 'failed' | 'ended';

/** A transfer of a live call (written by the engine; read by active_calls). */
export interface CallTransfersTable {
  /** The transfer_uuid clients see. */
  id: string;
  company_id: number;
  call_uuid: string;
  downstream_call_uuid: string | null;
  transfer_to: string;
  hold_caller: number;
  status: CallTransferStatus;
  leg_id: string | null;
  transferor_leg_id: string | null;
  created_by_key_id: number | null;
  created_at: number;
  answered_at: number | null;
  ended_at: number | null;
}

export interface CallControlTables {
  call_control_keys: CallControlKeysTable;
  call_transfers: CallTransfersTable;
}

export type { CallControlAction };
