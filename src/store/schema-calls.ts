import type { Generated } from 'kysely';

/** Call records: one row per call, written ahead (on arrival) and updated on every transition. */
export interface CallsTable {
  id: Generated<number>;
  uuid: string;
  company_id: number;
  status: string;
  caller: string;
  caller_number_sent: string | null;
  caller_zip: string | null;
  caller_state: string | null;
  caller_city: string | null;
  caller_country: string | null;
  number: string;
  number_id: number | null;
  campaign_id: number | null;
  cid: string | null;
  campaign_name: string | null;
  affiliate_id: number | null;
  afid: string | null;
  affiliate_name: string | null;
  sid: string | null;
  target_id: number | null;
  tid: string | null;
  target_name: string | null;
  target_group_id: number | null;
  target_group_name: string | null;
  dialed_number: string | null;
  start_time: number;
  ivr_started_at: number | null;
  ivr_ended_at: number | null;
  forwarded_time: number | null;
  connected_time: number | null;
  end_time: number | null;
  ivr_duration: number;
  hold_duration: number;
  dialed_call_duration: number;
  total_duration: number;
  time_to_connect_in_seconds: number | null;
  hung_up_by: string | null;
  keys_pressed: string;
  tags: string;
  repeat: number;
  affiliate_repeat: number;
  target_repeat: number | null;
  number_repeat: number;
  duplicate: number;
  payable_duplicate: number;
  receivable_duplicate: number;
  connected: number;
  billable_minutes: number;
  charge_total: number;
  revenue: number | null;
  payout: number | null;
  postback_value: number | null;
  converted: number;
  payable: number;
  receivable: number;
  conversion_seconds: number | null;
  conversions_determined_at: number | null;
  network_sale_timer_fired: number | null;
  affiliate_sale_timer_fired: number | null;
  target_sale_timer_fired: number | null;
  recording_url: string | null;
  visitor_url: string | null;
  via: string;
  rescued: number;
  upstream_call_uuid: string | null;
  downstream_call_uuids: string;
  created_at: number;
  /** Written at each transition and by the live-call checkpoint (every few seconds while live). */
  updated_at: number;
  /** The process (NODE_ID) running the call while it is live (migration 0011). */
  owner_process: string | null;
  /** Why the engine ended the call when nobody hung up (`process restarted`, `call length limit`). */
  end_reason: string | null;
}

/** One connection of a call: the caller's leg, each dial attempt, transfers. */
export interface CallLegsTable {
  id: string;
  call_uuid: string;
  company_id: number;
  direction: string;
  from_number: string;
  to_number: string;
  target_id: number | null;
  target_group_id: number | null;
  status: string;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  hung_up_by: string | null;
  end_reason: string | null;
}

import type { RoutingOwner } from '../domain/flow.js';

export type { RoutingOwner };

export interface RoutingEntriesTable {
  id: Generated<number>;
  company_id: number;
  owner_type: RoutingOwner;
  owner_id: number;
  target_id: number | null;
  target_group_id: number | null;
  position: number;
}

/** A timer pixel or webhook of a call: `status` new → fired | failed. */
export interface FiredPixelsTable {
  id: Generated<number>;
  company_id: number;
  call_uuid: string;
  url: string;
  fire_order: number;
  batch_uuid: string;
  webhook_name: string | null;
  status: 'new' | 'fired' | 'failed';
  created_at: number;
  fired_at: number | null;
}

/** Calls per company (in shards), kept by triggers on `calls` (migration 0070). */
export interface CallCountsTable {
  company_id: number;
  shard: number;
  n: number | string;
}

/** A period a leg was on hold (migration 0091): open while `ended_at` is null or until the leg ended. */
export interface CallHoldsTable {
  id: Generated<number>;
  company_id: number;
  call_uuid: string;
  leg_id: string;
  started_at: number;
  ended_at: number | null;
}

export interface CallTables {
  calls: CallsTable;
  call_holds: CallHoldsTable;
  call_counts: CallCountsTable;
  call_legs: CallLegsTable;
  routing_entries: RoutingEntriesTable;
  fired_pixels: FiredPixelsTable;
}
