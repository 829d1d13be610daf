import { type Kysely, sql } from 'kysely';
import type { ColumnKit } from './kit.js';

/** The delivery outbox, its cookie jars and per-company webhook secrets (src/delivery). */
export function deliveryMigration(k: ColumnKit) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('deliveries')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('delivery_uuid', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('fallback_url', 'text')
        .addColumn('headers', 'text', (c) => c.notNull())
        .addColumn('body', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('fired_pixel_id', 'integer')
        .addColumn('call_uuid', 'text')
        .addColumn('cookie_jar_key', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .execute();
      // The worker's queries: due pending rows in order, of any host or of one host. Partial indexes hold only
      // pending rows, so in_flight → delivered touches no index page (fewer pages per commit, fewer checkpoints).
      const pending = sql<boolean>`status = 'pending'`;
      await db.schema
        .createIndex('deliveries_due')
        .on('deliveries')
        .columns(['next_attempt_at', 'id'])
        .where(pending)
        .execute();
      await db.schema
        .createIndex('deliveries_host_due')
        .on('deliveries')
        .columns(['host', 'next_attempt_at', 'id'])
        .where(pending)
        .execute();
      await db.schema.createIndex('deliveries_call').on('deliveries').column('call_uuid').execute();

      await db.schema
        .createTable('delivery_cookie_jars')
        .addColumn('jar_key', 'text', (c) => c.primaryKey())
        .addColumn('cookies', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('webhook_secrets')
        .addColumn('company_id', 'integer', (c) => c.primaryKey())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
