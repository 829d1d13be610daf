import { type Kysely, sql } from 'kysely';
import type { Dialect } from './kit.js';

/**
 * PostgreSQL: inserts and deletes of calls log their changed hours once per statement (a transition
 * table) instead of once per row, so a bulk load of a million calls writes a few thousand change rows,
 * not a million, and pays one plpgsql call per statement. The engine's one-row writes log the same as
 * before; updates keep 0050's row trigger (its WHEN clause skips updates no report reads). SQLite has no
 * statement triggers; its row triggers run in C and cost little.
 */
export function reportInsertStatementTriggerMigration(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect !== 'postgres') return;
      await sql`DROP TRIGGER calls_report_insert ON calls`.execute(db);
      await sql
        .raw(`CREATE FUNCTION report_calls_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_call_changes (company_id, hour)
    SELECT DISTINCT company_id, created_at / 3600000 FROM new_rows;
  RETURN NULL;
END $$`)
        .execute(db);
      await sql
        .raw(`CREATE FUNCTION report_calls_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_call_changes (company_id, hour)
    SELECT DISTINCT company_id, created_at / 3600000 FROM old_rows;
  RETURN NULL;
END $$`)
        .execute(db);
      await sql
        .raw(
          'CREATE TRIGGER calls_report_inserted AFTER INSERT ON calls REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_calls_inserted()',
        )
        .execute(db);
      await sql
        .raw(
          'CREATE TRIGGER calls_report_deleted AFTER DELETE ON calls REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_calls_deleted()',
        )
        .execute(db);
    },
  };
}
