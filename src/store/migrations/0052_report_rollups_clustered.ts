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
 * SQLite: report rollups clustered on (company_id, facet, day, key, sub) (WITHOUT ROWID), so a report's
 * range of days is one contiguous read with no lookup per row. Rollups are a cache: the table is made
 * anew and every day is summed again when a report needs it. PostgreSQL keeps 0050's table.
 */
export function reportRollupsClusteredMigration(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect !== 'sqlite') return;
      await db.schema.dropTable('report_rollups').execute();
      await db.deleteFrom('report_days').execute();
      let t = db.schema
        .createTable('report_rollups')
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('facet', 'text', (c) => c.notNull())
        .addColumn('day', 'integer', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('sub', 'text', (c) => c.notNull());
      for (const col of SUM_COLUMNS) t = t.addColumn(col, 'bigint', (c) => c.notNull());
      await t
        .addPrimaryKeyConstraint('report_rollups_pk', ['company_id', 'facet', 'day', 'key', 'sub'])
        .modifyEnd(sql`WITHOUT ROWID`)
        .execute();
    },
  };
}
