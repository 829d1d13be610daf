import { type Kysely, sql } from 'kysely';
import type { Dialect } from './kit.js';

/**
 * Indexes for the Calls API's filtered lists. Each filter column leads after company_id and is followed
 * by (created_at, id), the list's order, so a filtered page is an index range scan with no sort, and its
 * count is counted from the index alone. `updated_at` serves `sort_by=updated_at`.
 * (company_id, caller, created_at) and (company_id, created_at, id) exist since 0002.
 */
const INDEXES: Record<string, string[]> = {
  calls_company_updated: ['company_id', 'updated_at', 'id'],
  calls_company_cid: ['company_id', 'cid', 'created_at', 'id'],
  calls_company_afid: ['company_id', 'afid', 'created_at', 'id'],
  calls_company_tid: ['company_id', 'tid', 'created_at', 'id'],
  calls_company_sid: ['company_id', 'sid', 'created_at', 'id'],
};

/**
 * Representative SQLite planner statistics (sqlite_stat1: rows, then rows per distinct prefix) for a
 * large call log. Without any, SQLite assumes `company_id = ?` alone finds ~10 rows, so for
 * `client_cid=…&created_at_start=…` it walks the whole date range of (company_id, created_at) instead
 * of the narrow (company_id, cid, created_at) range: ~5 ms instead of ~0.1 ms at 1M calls. A later
 * ANALYZE replaces these with measured figures. PostgreSQL gathers its own statistics.
 */
const SQLITE_STATS: Record<string, string> = {
  calls_company_created: '1000000 100000 2 1',
  calls_company_updated: '1000000 100000 2 1',
  calls_company_caller: '1000000 100000 5 1',
  calls_company_cid: '1000000 100000 2000 2 1',
  calls_company_afid: '1000000 100000 1000 2 1',
  calls_company_tid: '1000000 100000 1000 2 1',
  calls_company_sid: '1000000 100000 10000 2 1',
};

export function callsIndexesMigration(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      for (const [name, columns] of Object.entries(INDEXES)) {
        await db.schema.createIndex(name).on('calls').columns(columns).execute();
      }
      if (dialect === 'sqlite') await seedPlannerStats(db);
    },
  };
}

async function seedPlannerStats(db: Kysely<any>): Promise<void> {
  // Analyzing only the schema table is instant and creates sqlite_stat1 when missing.
  await sql`ANALYZE sqlite_schema`.execute(db);
  const measured = await sql`SELECT 1 FROM sqlite_stat1 WHERE tbl = 'calls' LIMIT 1`.execute(db);
  if (measured.rows.length) return;
  await sql`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('calls', NULL, '1000000')`.execute(db);
  for (const [idx, stat] of Object.entries(SQLITE_STATS)) {
    await sql`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('calls', ${idx}, ${stat})`.execute(db);
  }
  // Makes this connection's planner read the figures now rather than at the next open.
  await sql`ANALYZE sqlite_schema`.execute(db);
}
