import { type Kysely, sql } from 'kysely';
import type { Dialect } from './kit.js';

const SUM_COLUMNS = [
  'total_calls',
  'repeat_count',
  'duplicate_count',
  'converted_count',
  'revenue_cents',
  'payout_cents',
  'cost_cents',
  'duration_n',
  'duration_sum',
  'duration_sumsq',
  'rescued_count',
  'rescued_revenue_cents',
  'connected_n',
  'connected_sum',
  'connected_sumsq',
  'in_progress_count',
];

/**
 * Rollups over blocks of 2^level days besides single days (src/domain/report-blocks.ts): `level` joins
 * the key of `report_rollups` (`day` is a block's first day) and of `report_days` (which spans are
 * complete). Rollups are a cache: both tables are made anew and summed again when reports need them.
 * SQLite keeps the rollups clustered on their key (WITHOUT ROWID); on PostgreSQL the key is the primary
 * key's index.
 */
export function reportBlocksMigration(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('report_rollups').execute();
      await db.schema.dropTable('report_days').execute();
      let t = db.schema
        .createTable('report_rollups')
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('facet', 'text', (c) => c.notNull())
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('day', 'integer', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('sub', 'text', (c) => c.notNull());
      for (const col of SUM_COLUMNS) t = t.addColumn(col, 'bigint', (c) => c.notNull());
      t = t.addPrimaryKeyConstraint('report_rollups_pk', [
        'company_id',
        'facet',
        'level',
        'day',
        'key',
        'sub',
      ]);
      await (dialect === 'sqlite' ? t.modifyEnd(sql`WITHOUT ROWID`) : t).execute();

      await db.schema
        .createTable('report_days')
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('day', 'integer', (c) => c.notNull())
        .addColumn('zone', 'text', (c) => c.notNull())
        .addColumn('computed_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('report_days_pk', ['company_id', 'level', 'day'])
        .execute();
    },
  };
}
