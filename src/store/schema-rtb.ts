import type { Generated } from 'kysely';

/**
 * Real-time bidding: a campaign's postback keys (what publishers ping with) and the reservations a ping
 * makes (an inbound number held for one caller until it expires or the call claims it).
 */
export interface PostbackKeysTable {
  id: Generated<number>;
  company_id: number;
  campaign_id: number;
  /** The secret a ping authenticates with (a UUID, as the seed's). Unique system-wide. */
  key: string;
  name: string | null;
  /** JSON array of tag names every ping must carry. */
  required_tags: string;
  /** How long a reservation holds its number. */
  reservation_seconds: number;
  /** 1: a repeat ping for a caller with a live reservation gets that reservation back. */
  ping_shield: number;
  /** Pool numbers are drawn from; null: the campaign's live pools. */
  number_pool_id: number | null;
  created_at: number;
  updated_at: number;
  revoked_at: number | null;
  // Options of Retreaver's key form (migration 0040; docs/compat.md "Postback-key options").
  action: Generated<string>;
  tag_prefix: string | null;
  timeout_ms: Generated<number>;
  inbound_number: string | null;
  return_dba: Generated<number>;
  add_to_caps_on_status_reserved: Generated<number>;
  route_only_to_reserved_target: Generated<number>;
  allow_no_caller_number: Generated<number>;
  paused: Generated<number>;
  claim_percent_threshold: Generated<number>;
  blocked_inbound_percent: Generated<number>;
  ping_shield_outbound_count_limit: number | null;
  ping_shield_outbound_ms_limit: number | null;
}

/** Data Writing tags for a caller (or call) not yet seen: applied when that call arrives or ends. */
export interface StoredTagsTable {
  id: Generated<number>;
  company_id: number;
  campaign_id: number;
  postback_key_id: number;
  caller_number: string | null;
  call_uuid: string | null;
  /** JSON object of tag values. */
  tags: string;
  created_at: number;
  /** Caller tags wait this long (the key's TTL); null: until applied (a call's own tags). */
  expires_at: number | null;
  applied_at: number | null;
}

export type ReservationStatus = 'reserved' | 'claimed' | 'expired' | 'no-target' | 'no-number' | 'paused';

export interface ReservationsTable {
  id: Generated<number>;
  uuid: string;
  company_id: number;
  campaign_id: number;
  postback_key_id: number;
  affiliate_id: number | null;
  afid: string | null;
  caller_number: string;
  inbound_number: string | null;
  number_id: number | null;
  target_id: number | null;
  status: ReservationStatus;
  /** JSON object of the ping's tags. */
  tags: string;
  payout_cents: number | null;
  seconds: number | null;
  /**
   * Held while `reserved`, null otherwise; unique, so two pings can never hold the same number.
   * A pool number locks as itself; a static number (shared by many callers) as `number|caller`.
   */
  lock_key: string | null;
  created_at: number;
  expires_at: number | null;
  claimed_at: number | null;
  wiped_at: number | null;
  call_uuid: string | null;
}

/** One step of a call's journey, appended as it happens (docs/call-flow-events.md). */
export interface CallFlowEventsTable {
  id: Generated<number>;
  company_id: number;
  call_uuid: string;
  /**
   * The recorder's count of the call's events (0: written by the delivery worker). Reads order by `at`,
   * then `id` (record order), which keeps the events of one millisecond in the order they happened.
   */
  seq: number;
  at: number;
  type: string;
  /** JSON object. */
  details: string;
}

export interface RtbTables {
  postback_keys: PostbackKeysTable;
  reservations: ReservationsTable;
  stored_tags: StoredTagsTable;
  call_flow_events: CallFlowEventsTable;
}
