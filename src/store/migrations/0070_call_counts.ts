import { type Kysely, sql } from 'kysely';
import type { Dialect } from './kit.js';

/**
 * Calls per company, kept by triggers, so the unfiltered call log's total (X-Total-Count, the last
 * page of the Link header) is a read of a few rows instead of a count over every call the company has
 * (40 ms at 200,000 calls, on every page). The count is split over SHARDS rows by call id so that
 * concurrent inserts on PostgreSQL do not queue on one row lock. Calls are never deleted; the delete
 * trigger keeps the figure right should that change.
 */
export const CALL_COUNT_SHARDS = 8;

export function callCountsMigration(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('call_counts')
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('shard', 'integer', (c) => c.notNull())
        .addColumn('n', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('call_counts_pk', ['company_id', 'shard'])
        .execute();
      const shard = (row: 'NEW' | 'OLD') => sql.raw(`${row}.id % ${CALL_COUNT_SHARDS}`);
      if (dialect === 'sqlite') {
        await sql`CREATE TRIGGER calls_count_insert AFTER INSERT ON calls BEGIN
          INSERT INTO call_counts (company_id, shard, n) VALUES (NEW.company_id, ${shard('NEW')}, 1)
          ON CONFLICT (company_id, shard) DO UPDATE SET n = n + 1; END`.execute(db);
        await sql`CREATE TRIGGER calls_count_delete AFTER DELETE ON calls BEGIN
          UPDATE call_counts SET n = n - 1 WHERE company_id = OLD.company_id AND shard = ${shard('OLD')}; END`.execute(
          db,
        );
      } else {
        await sql`CREATE FUNCTION calls_count() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP = 'INSERT' THEN
              INSERT INTO call_counts (company_id, shard, n) VALUES (NEW.company_id, ${shard('NEW')}, 1)
              ON CONFLICT (company_id, shard) DO UPDATE SET n = call_counts.n + 1;
            ELSE
              UPDATE call_counts SET n = n - 1 WHERE company_id = OLD.company_id AND shard = ${shard('OLD')};
            END IF;
            RETURN NULL;
          END $$`.execute(db);
        await sql`CREATE TRIGGER calls_count AFTER INSERT OR DELETE ON calls
          FOR EACH ROW EXECUTE FUNCTION calls_count()`.execute(db);
      }
      await sql`INSERT INTO call_counts (company_id, shard, n)
        SELECT company_id, id % ${sql.lit(CALL_COUNT_SHARDS)}, count(*) FROM calls
        GROUP BY company_id, id % ${sql.lit(CALL_COUNT_SHARDS)}`.execute(db);
    },
  };
}
