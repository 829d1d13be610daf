import type { Kysely } from 'kysely';
import type { ColumnKit } from './kit.js';

/** Postback keys and call reservations (see src/store/schema-rtb.ts). */
export function rtbMigration(k: ColumnKit) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('postback_keys')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text')
        .addColumn('required_tags', 'text', (c) => c.notNull())
        .addColumn('reservation_seconds', 'integer', (c) => c.notNull())
        .addColumn('ping_shield', 'integer', (c) => c.notNull())
        .addColumn('number_pool_id', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('postback_keys_campaign')
        .on('postback_keys')
        .columns(['campaign_id', 'id'])
        .execute();
      await db.schema
        .createTable('reservations')
        .addColumn('id', k.id, k.pk)
        .addColumn('uuid', 'text', (c) => c.notNull().unique())
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('postback_key_id', 'integer', (c) => c.notNull())
        .addColumn('affiliate_id', 'integer')
        .addColumn('afid', 'text')
        .addColumn('caller_number', 'text', (c) => c.notNull())
        .addColumn('inbound_number', 'text')
        .addColumn('number_id', 'integer')
        .addColumn('target_id', 'integer')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('payout_cents', 'bigint')
        .addColumn('seconds', 'integer')
        // NULLs never collide, so only live reservations compete for a number.
        .addColumn('lock_key', 'text', (c) => c.unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('claimed_at', 'bigint')
        .addColumn('wiped_at', 'bigint')
        .addColumn('call_uuid', 'text')
        .execute();
      // The ping shield and the claim look up live reservations by caller; the sweep by expiry.
      await db.schema
        .createIndex('reservations_caller')
        .on('reservations')
        .columns(['caller_number', 'campaign_id', 'status', 'expires_at'])
        .execute();
      await db.schema
        .createIndex('reservations_expiry')
        .on('reservations')
        .columns(['status', 'expires_at'])
        .execute();
    },
  };
}
