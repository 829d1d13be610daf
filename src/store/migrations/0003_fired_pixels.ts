import type { Kysely } from 'kysely';
import type { ColumnKit } from './kit.js';

/** What was (to be) fired for each call: timer pixels and webhooks, as the V2 calls API shows them. */
export function firedPixelsMigration(k: ColumnKit) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('fired_pixels')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('call_uuid', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('fire_order', 'integer', (c) => c.notNull())
        .addColumn('batch_uuid', 'text', (c) => c.notNull())
        .addColumn('webhook_name', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('fired_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('fired_pixels_call')
        .on('fired_pixels')
        .columns(['call_uuid', 'id'])
        .execute();
    },
  };
}
