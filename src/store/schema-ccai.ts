import type { Generated } from 'kysely';

/**
 * The CCAI Platform face's own tables (migration 0090). Its agents are `people`; its calls are the
 * engine's `calls` rows, which a `ccai_calls` row points to once the call is placed.
 */
export interface CcaiKeysTable {
  id: Generated<number>;
  company_id: number;
  /** The HTTP Basic user name: public, shown in lists. */
  key: string;
  /** sha256 of the secret, which is shown once. */
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
}

export type MenuType = 'ivr_menu' | 'mobile_menu' | 'web_menu';
export type OfferType = 'cascade' | 'multicast';

export interface CcaiMenusTable {
  id: Generated<number>;
  company_id: number;
  name: string;
  menu_type: MenuType;
  parent_id: number | null;
  position: number;
  output_msg: string | null;
  hidden: number;
  /** JSON array of ISO 639-1 codes; the first is the menu's default. */
  languages: string;
  /** JSON array of people ids: the menu's queue, in order. */
  agent_ids: string;
  offer_type: OfferType;
  manual_redirection: number;
  /** JSON `{time_zone, schedule: [{day, open, close}]}`, or null: always open. */
  hours: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface CcaiOutboundNumbersTable {
  id: Generated<number>;
  company_id: number;
  number: string;
  is_default: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface CcaiEndUsersTable {
  id: Generated<number>;
  company_id: number;
  ticket_id: string | null;
  phone_number: string | null;
  name: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export type CcaiCallType = 'Voice Outbound (API)' | 'Voice Inbound (API)' | 'Voice Scheduled (API)';

/** One call of the face: what was asked for; what happened is read from the engine's records. */
export interface CcaiCallsTable {
  id: Generated<number>;
  company_id: number;
  call_type: CcaiCallType;
  lang: string;
  /** The engine's call, once placed (a scheduled call has none before its time). */
  call_uuid: string | null;
  parent_id: number | null;
  menu_id: number | null;
  /** The outbound call's agent (assigned at creation). */
  agent_id: number | null;
  /** JSON array of the people ids offered the call, in order (the queue at placement). */
  agent_ids: string;
  offer_type: OfferType | null;
  end_user_id: number | null;
  end_user_number: string;
  out_ticket_id: string | null;
  outbound_number: string;
  recording_permission: string;
  verified_customer: number;
  bad_actor: number;
  repeat_customer: number;
  created_at: number;
  queued_at: number | null;
  scheduled_at: number | null;
  placed_at: number | null;
  cancelled_at: number | null;
  /** Why a call could not be placed at all (no agent left at its scheduled time). */
  fail_reason: string | null;
  /** Why a scheduled call was not placed at its time (migration 0091): its menu deflected it. */
  deflection: 'after_hours' | 'manual_redirection' | null;
  /** A callback (with a parent) placed after its parent call failed: `recovered` once it finishes. */
  recovers: Generated<number>;
  updated_at: number;
}

/** A participant of a call: created with the call, bound to the engine's leg once one is dialed. */
export interface CcaiParticipantsTable {
  id: Generated<number>;
  company_id: number;
  call_id: number;
  type: 'agent' | 'end_user';
  user_id: number | null;
  end_user_id: number | null;
  leg_id: string | null;
  created_at: number;
}

/** An integer id for an engine transfer (`call_transfers`) of a CCAI call, bound when first read. */
export interface CcaiTransfersTable {
  id: Generated<number>;
  company_id: number;
  call_id: number;
  transfer_id: string;
  created_at: number;
}

export interface CcaiTables {
  ccai_transfers: CcaiTransfersTable;
  ccai_keys: CcaiKeysTable;
  ccai_menus: CcaiMenusTable;
  ccai_outbound_numbers: CcaiOutboundNumbersTable;
  ccai_end_users: CcaiEndUsersTable;
  ccai_calls: CcaiCallsTable;
  ccai_participants: CcaiParticipantsTable;
}
