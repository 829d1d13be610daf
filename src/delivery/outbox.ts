import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Conn, Db } from '../store/db.js';
import type { DeliveryKind } from '../store/schema-delivery.js';
import { hostKey } from './sender.js';
import { webhookSecret } from './signing.js';

export interface DeliveryItem {
  companyId: number;
  kind: DeliveryKind;
  url: string;
  /** Default GET for pixels, POST for webhooks. */
  method?: string;
  fallbackUrl?: string | null;
  headers?: Record<string, string>;
  body?: string | null;
  maxAttempts?: number;
  firedPixelId?: number | null;
  callUuid?: string | null;
  cookieJarKey?: string | null;
  /** Not before this instant (epoch ms); default now. */
  at?: number;
  /** Reuse an id the caller already handed out; default a new UUID. */
  deliveryUuid?: string;
}

export interface Enqueued {
  id: number;
  deliveryUuid: string;
}

export interface OutboxOptions {
  db: Db;
  clock: Clock;
  maxAttempts: number;
  /** Called after each enqueue so an idle worker looks at once rather than at its next poll. */
  kick?: (host?: string) => void;
}

/**
 * Writes deliveries. `enqueue` takes the caller's connection or transaction so the outbox row commits or
 * rolls back with the state change that caused it: nothing is fired for a change that rolled back, nothing
 * lost for one that committed.
 */
export class Outbox {
  constructor(private readonly opts: OutboxOptions) {}

  async enqueue(conn: Conn, item: DeliveryItem): Promise<Enqueued> {
    const now = this.opts.clock.now();
    const deliveryUuid = item.deliveryUuid ?? randomUUID();
    const host = hostKey(item.url);
    const headers = Object.fromEntries(
      Object.entries(item.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    const row = await conn
      .insertInto('deliveries')
      .values({
        company_id: item.companyId,
        delivery_uuid: deliveryUuid,
        kind: item.kind,
        method: (item.method ?? (item.kind === 'webhook' ? 'POST' : 'GET')).toUpperCase(),
        url: item.url,
        host,
        fallback_url: item.fallbackUrl ?? null,
        headers: JSON.stringify(headers),
        body: item.body ?? null,
        status: 'pending',
        attempts: 0,
        max_attempts: Math.max(1, item.maxAttempts ?? this.opts.maxAttempts),
        next_attempt_at: item.at ?? now,
        last_status: null,
        last_error: null,
        fired_pixel_id: item.firedPixelId ?? null,
        call_uuid: item.callUuid ?? null,
        cookie_jar_key: item.cookieJarKey ?? null,
        created_at: now,
        updated_at: now,
        delivered_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Inside a transaction on PostgreSQL the worker can't see the row until commit; call kick() after
    // committing (or let the next poll find it).
    this.opts.kick?.(host);
    return { id: row.id, deliveryUuid };
  }

  kick(): void {
    this.opts.kick?.();
  }

  /** The company's webhook signing secret (created on first use). */
  webhookSecret(companyId: number, conn: Conn = this.opts.db): Promise<string> {
    return webhookSecret(conn, companyId, this.opts.clock.now());
  }
}
