import type { Generated } from 'kysely';

/** What a campaign webhook can be subscribed to (see docs/webhooks.md). */
export type WebhookEvent = 'call_started' | 'call_connected' | 'call_ended';

/**
 * A campaign's webhook: where the engine POSTs a call's events. `events` is a JSON array of
 * WebhookEvent (a handful of values, always read whole, so a side table would buy nothing).
 */
export interface WebhooksTable {
  id: Generated<number>;
  company_id: number;
  campaign_id: number;
  name: string;
  url: string;
  fallback_url: string | null;
  events: string;
  created_at: number;
  updated_at: number;
}

export interface WebhookTables {
  webhooks: WebhooksTable;
}
