import type { Generated } from 'kysely';

export type DeliveryKind = 'pixel' | 'webhook';
export type DeliveryStatus = 'pending' | 'in_flight' | 'delivered' | 'failed';

/**
 * The outbox: one row per outbound HTTP request (timer pixel, webhook). `delivery_uuid` never changes across
 * retries so receivers can de-duplicate. Times are epoch ms.
 */
export interface DeliveriesTable {
  id: Generated<number>;
  company_id: number;
  delivery_uuid: string;
  kind: DeliveryKind;
  method: string;
  url: string;
  /** Host name of the URL in use (url, or fallback_url once switched): the worker skips hosts at their limit. */
  host: string;
  fallback_url: string | null;
  /** JSON object of extra request headers. */
  headers: string;
  body: string | null;
  status: DeliveryStatus;
  /** Attempts made so far, primary and fallback together (the fallback phase starts at max_attempts). */
  attempts: number;
  max_attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  fired_pixel_id: number | null;
  call_uuid: string | null;
  cookie_jar_key: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
  /** The worker (NODE_ID) sending an in_flight row, and until when the row is its (migration 0011). */
  lease_owner: string | null;
  lease_expires_at: number | null;
}

/** Cookies shared by deliveries with the same `cookie_jar_key` (a call's timer pixels). */
export interface DeliveryCookieJarsTable {
  jar_key: string;
  /** JSON array of { name, value, expires } (expires epoch ms or null). */
  cookies: string;
  updated_at: number;
}

/** Per-company HMAC secret for webhook signatures, made on first use. */
export interface WebhookSecretsTable {
  company_id: number;
  secret: string;
  created_at: number;
}

export interface DeliveryTables {
  deliveries: DeliveriesTable;
  delivery_cookie_jars: DeliveryCookieJarsTable;
  webhook_secrets: WebhookSecretsTable;
}
