import type { Generated } from 'kysely';
import type { ApiKeyTables } from './schema-api-keys.js';
import type { CallControlTables, LiveCallMode } from './schema-call-control.js';
import type { CallTables } from './schema-calls.js';
import type { CcaiTables } from './schema-ccai.js';
import type { ConversionTables } from './schema-conversions.js';
import type { DeliveryTables } from './schema-delivery.js';
import type { PeopleTables } from './schema-people.js';
import type { ReportTables } from './schema-reports.js';
import type { RtbTables } from './schema-rtb.js';
import type { WebhookTables } from './schema-webhooks.js';

/**
 * Row types of every table. Times are epoch milliseconds (integers sort and compare the same on both
 * engines); booleans are stored as 0/1 integers for the same reason.
 */
type Id = Generated<number>;
type Millis = number;
type Flag = number;

export interface CompaniesTable {
  id: Id;
  name: string;
  default_click_url: string | null;
  default_sale_url: string | null;
  /** Seed zone name (as targets'); reports' daily buckets and bare dates use it (migration 0050). */
  time_zone: Generated<string>;
  created_at: Millis;
  updated_at: Millis;
  deleted_at: Millis | null;
}

export interface UsersTable {
  id: Id;
  name: string;
  api_key_hash: string;
  active_company_id: number | null;
  created_at: Millis;
}

export interface MembershipsTable {
  user_id: number;
  company_id: number;
}

export interface AffiliatesTable {
  id: Id;
  company_id: number;
  afid: string;
  first_name: string | null;
  last_name: string | null;
  company_name: string | null;
  created_at: Millis;
  updated_at: Millis;
  deleted_at: Millis | null;
}

export interface TargetsTable {
  id: Id;
  company_id: number;
  tid: string | null;
  name: string | null;
  number: string;
  sip_username: string | null;
  sip_password: string | null;
  cid_number_id: number | null;
  obfuscate_cid: Flag;
  object_key: string;
  priority: number;
  weight: number;
  timeout_seconds: number;
  timer_offset: number;
  send_digits: string | null;
  concurrency_cap: number | null;
  inband_signals: Flag;
  time_zone: string;
  paused: Flag;
  paused_at: Millis | null;
  live_call_mode: LiveCallMode | null;
  /** A dynamic buyer's RTB ping URL (docs/compat.md "Dynamic buyers"). */
  ping_url: string | null;
  created_at: Millis;
  updated_at: Millis;
  deleted_at: Millis | null;
}

export type CapOwner = 'target' | 'target_group';
export type CapType = 'Hard' | 'Hourly' | 'Daily' | 'Monthly';

export interface CapsTable {
  id: Id;
  company_id: number;
  owner_type: CapOwner;
  owner_id: number;
  type: CapType;
  cap: number | null;
  /** Hard caps only count what happened after their last reset. */
  reset_at: Millis | null;
  created_at: Millis;
  updated_at: Millis;
}

/** One row per call that counts against an owner's caps. */
export interface CapHitsTable {
  id: Id;
  company_id: number;
  owner_type: CapOwner;
  owner_id: number;
  call_uuid: string | null;
  hit_at: Millis;
}

export interface BusinessHoursTable {
  id: Id;
  target_id: number;
  day_of_week: number;
  work_day: Flag;
  time_open: number;
  time_close: number;
  invert: Flag;
  created_at: Millis;
  updated_at: Millis;
}

export type TagOwner = 'target' | 'contact';

export interface TagValuesTable {
  id: Id;
  company_id: number;
  owner_type: TagOwner;
  owner_id: number;
  key: string;
  value: string;
  operator: string;
}

export interface TargetGroupsTable {
  id: Id;
  company_id: number;
  name: string;
  behavior: number;
  priority: number | null;
  weight: number | null;
  concurrency_cap: number | null;
  created_at: Millis;
  updated_at: Millis;
  deleted_at: Millis | null;
}

export interface TargetGroupMembersTable {
  target_group_id: number;
  target_id: number;
  position: number;
}

export interface AudioFilesTable {
  id: Id;
  company_id: number;
  file_name: string;
  content_type: string;
  size: number;
  data: Buffer;
  updated_at: Millis;
}

export interface CampaignsTable {
  id: Id;
  company_id: number;
  cid: string;
  name: string | null;
  record_calls: Flag;
  record_seconds: number;
  dedupe_seconds: number;
  affiliate_can_pull_number: Flag;
  show_key: string;
  greeting_message: string | null;
  greeting_voice_gender: string;
  greeting_audio_id: number | null;
  repeat: number;
  created_at: Millis;
  updated_at: Millis;
  deleted_at: Millis | null;
}

export type NestedOwner = 'campaign' | 'number';

export interface TimersTable {
  id: Id;
  owner_type: NestedOwner;
  owner_id: number;
  seconds: number;
  url: string;
  created_at: Millis;
}

export interface MenuOptionsTable {
  id: Id;
  owner_type: NestedOwner;
  owner_id: number;
  option: string;
  target_number: string | null;
  target_cid: string | null;
  created_at: Millis;
}

export interface NumbersTable {
  id: Id;
  company_id: number;
  number: string;
  toll_free: Flag;
  country: string;
  campaign_id: number;
  affiliate_id: number | null;
  sid: string | null;
  number_pool_id: number | null;
  /** Override flags: when 0 the campaign's setting is used and shown as inherited. */
  greeting_overridden: Flag;
  greeting_message: string | null;
  greeting_voice_gender: string | null;
  greeting_audio_id: number | null;
  repeat: number | null;
  timers_overridden: Flag;
  menu_overridden: Flag;
  created_at: Millis;
  updated_at: Millis;
  deleted_at: Millis | null;
}

export interface NumberPoolsTable {
  id: Id;
  company_id: number;
  campaign_id: number;
  affiliate_id: number | null;
  type: string;
  country: string;
  max_pool_size: number;
  buffer_seconds: number;
  hide_embedded_access: Flag;
  google_analytics: Flag;
  ga_always_path: string;
  ga_connect_path: string;
  reserve_size: number;
  created_at: Millis;
  updated_at: Millis;
  deleted_at: Millis | null;
}

export interface ContactsTable {
  id: Id;
  company_id: number;
  created_at: Millis;
  updated_at: Millis;
  deleted_at: Millis | null;
}

export interface ContactNumbersTable {
  id: Id;
  company_id: number;
  contact_id: number;
  number: string;
  description: string | null;
}

export interface SuppressedNumbersTable {
  id: Id;
  company_id: number;
  number: string;
  can_resubscribe: Flag;
  affiliate_id: number | null;
  campaign_id: number | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface StaticCallerNumbersTable {
  id: Id;
  company_id: number;
  number: string;
  created_at: Millis;
  deleted_at: Millis | null;
}

/** One row per write to a configuration table (migration 0071): a company's newest id is its config version. */
export interface ConfigChangesTable {
  id: Generated<number>;
  company_id: number;
}

export interface Database
  extends ApiKeyTables,
    CallTables,
    CallControlTables,
    DeliveryTables,
    ConversionTables,
    RtbTables,
    WebhookTables,
    ReportTables,
    PeopleTables,
    CcaiTables {
  companies: CompaniesTable;
  users: UsersTable;
  memberships: MembershipsTable;
  affiliates: AffiliatesTable;
  targets: TargetsTable;
  caps: CapsTable;
  cap_hits: CapHitsTable;
  business_hours: BusinessHoursTable;
  tag_values: TagValuesTable;
  target_groups: TargetGroupsTable;
  target_group_members: TargetGroupMembersTable;
  audio_files: AudioFilesTable;
  campaigns: CampaignsTable;
  timers: TimersTable;
  menu_options: MenuOptionsTable;
  numbers: NumbersTable;
  number_pools: NumberPoolsTable;
  contacts: ContactsTable;
  contact_numbers: ContactNumbersTable;
  suppressed_numbers: SuppressedNumbersTable;
  static_caller_numbers: StaticCallerNumbersTable;
  config_changes: ConfigChangesTable;
}
