import { type Kysely, sql } from 'kysely';
import type { Dialect } from './kit.js';

/** Metric sums of a rollup row (src/domain/report-metrics.ts SUM_FIELDS): integers, summed exactly. */
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
 * Columns whose change can change a report. The engine updates a call many times; other updates
 * (timers, keys pressed, updated_at) leave no mark.
 */
const WATCHED = [
  'company_id',
  'created_at',
  'status',
  'repeat',
  'duplicate',
  'converted',
  'rescued',
  'connected',
  'revenue',
  'payout',
  'charge_total',
  'total_duration',
  'dialed_call_duration',
  'affiliate_id',
  'target_id',
  'campaign_id',
  'number_id',
  'tags',
];

/**
 * Reports (docs/reports.md): the company's time zone (daily buckets), created tags, day rollups and the
 * change log that keeps them honest. Triggers on `calls` write one row into `report_call_changes` per
 * change that matters, in the writer's own transaction, so no change can slip past the rollups whatever
 * code writes calls (the engine is not touched).
 */
export function reportsMigration(dialect: Dialect) {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('companies')
        .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC'))
        .execute();

      await db.schema
        .createTable('tags')
        .addColumn('id', pg ? 'serial' : 'integer', (c) =>
          pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        // Calls created from this moment are indexed; null once re-indexed (every call).
        .addColumn('indexed_from', 'bigint')
        .addColumn('reindexed_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('tags_company_key')
        .unique()
        .on('tags')
        .columns(['company_id', 'key'])
        .execute();

      let rollups = db.schema
        .createTable('report_rollups')
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('facet', 'text', (c) => c.notNull())
        .addColumn('day', 'integer', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('sub', 'text', (c) => c.notNull());
      for (const col of SUM_COLUMNS) rollups = rollups.addColumn(col, 'bigint', (c) => c.notNull());
      await rollups.execute();
      // A report reads one facet of one company over a range of days.
      await db.schema
        .createIndex('report_rollups_read')
        .unique()
        .on('report_rollups')
        .columns(['company_id', 'facet', 'day', 'key', 'sub'])
        .execute();

      // The days whose rollups are complete, and the zone they were cut in.
      await db.schema
        .createTable('report_days')
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('day', 'integer', (c) => c.notNull())
        .addColumn('zone', 'text', (c) => c.notNull())
        .addColumn('computed_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('report_days_pk', ['company_id', 'day'])
        .execute();

      // Insert-only (no hot row to contend on); hour = created_at / 1 h of the changed call, -1 = every day.
      await db.schema
        .createTable('report_call_changes')
        .addColumn('id', pg ? 'bigserial' : 'integer', (c) =>
          pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('hour', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('report_call_changes_company')
        .on('report_call_changes')
        .columns(['company_id', 'id'])
        .execute();

      if (pg) await postgresTriggers(db);
      else await sqliteTriggers(db);
    },
  };
}

async function sqliteTriggers(db: Kysely<any>): Promise<void> {
  const mark = (row: 'NEW' | 'OLD') =>
    `INSERT INTO report_call_changes (company_id, hour) VALUES (${row}.company_id, ${row}.created_at / 3600000);`;
  const changed = WATCHED.map((c) => `OLD."${c}" IS NOT NEW."${c}"`).join(' OR ');
  const moved = `OLD.company_id IS NOT NEW.company_id OR OLD.created_at IS NOT NEW.created_at`;
  await sql
    .raw(`CREATE TRIGGER calls_report_insert AFTER INSERT ON calls BEGIN ${mark('NEW')} END`)
    .execute(db);
  await sql
    .raw(`CREATE TRIGGER calls_report_update AFTER UPDATE ON calls WHEN ${changed} BEGIN ${mark('NEW')} END`)
    .execute(db);
  await sql
    .raw(`CREATE TRIGGER calls_report_move AFTER UPDATE ON calls WHEN ${moved} BEGIN ${mark('OLD')} END`)
    .execute(db);
  await sql
    .raw(`CREATE TRIGGER calls_report_delete AFTER DELETE ON calls BEGIN ${mark('OLD')} END`)
    .execute(db);
}

async function postgresTriggers(db: Kysely<any>): Promise<void> {
  await sql
    .raw(`CREATE FUNCTION report_call_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.company_id, OLD.created_at) IS DISTINCT FROM (NEW.company_id, NEW.created_at)) THEN
    INSERT INTO report_call_changes (company_id, hour) VALUES (OLD.company_id, OLD.created_at / 3600000);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO report_call_changes (company_id, hour) VALUES (NEW.company_id, NEW.created_at / 3600000);
  END IF;
  RETURN NULL;
END $$`)
    .execute(db);
  const changed = WATCHED.map((c) => `OLD."${c}" IS DISTINCT FROM NEW."${c}"`).join(' OR ');
  await sql
    .raw(
      'CREATE TRIGGER calls_report_insert AFTER INSERT OR DELETE ON calls FOR EACH ROW EXECUTE FUNCTION report_call_changed()',
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER calls_report_update AFTER UPDATE ON calls FOR EACH ROW WHEN (${changed}) EXECUTE FUNCTION report_call_changed()`,
    )
    .execute(db);
}
