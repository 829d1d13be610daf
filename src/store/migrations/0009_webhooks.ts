import type { Kysely } from 'kysely';
import type { ColumnKit } from './kit.js';

/** Campaign webhooks (src/services/webhooks.ts). Deleted webhooks are removed outright. */
export function webhooksMigration(k: ColumnKit) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('webhooks')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('fallback_url', 'text')
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // The engine reads a campaign's webhooks on every call; the API lists them in id order.
      await db.schema
        .createIndex('webhooks_campaign')
        .on('webhooks')
        .columns(['campaign_id', 'id'])
        .execute();
    },
  };
}
