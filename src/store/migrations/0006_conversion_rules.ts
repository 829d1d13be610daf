import type { Kysely } from 'kysely';
import type { ColumnKit } from './kit.js';

/** Conversion rules of campaigns (see src/domain/conversions.ts). Deleted rules are removed outright. */
export function conversionRulesMigration(k: ColumnKit) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('conversion_rules')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('seconds', 'integer', (c) => c.notNull())
        .addColumn('revenue_cents', 'bigint', (c) => c.notNull())
        .addColumn('payout_cents', 'bigint', (c) => c.notNull())
        .addColumn('affiliate_id', 'integer')
        .addColumn('target_id', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('conversion_rules_campaign')
        .on('conversion_rules')
        .columns(['campaign_id', 'id'])
        .execute();
    },
  };
}
