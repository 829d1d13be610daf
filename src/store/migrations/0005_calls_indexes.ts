import type { Kysely } from 'kysely';

/**
 * Indexes for the Calls API's filtered lists. Each filter column leads after company_id and is followed
 * by (created_at, id), the list's order, so a filtered page is an index range scan with no sort, and its
 * count is counted from the index alone. `updated_at` serves `sort_by=updated_at`.
 * (company_id, caller, created_at) exists since 0002.
 */
const INDEXES: Record<string, string[]> = {
  calls_company_updated: ['company_id', 'updated_at', 'id'],
  calls_company_cid: ['company_id', 'cid', 'created_at', 'id'],
  calls_company_afid: ['company_id', 'afid', 'created_at', 'id'],
  calls_company_tid: ['company_id', 'tid', 'created_at', 'id'],
  calls_company_sid: ['company_id', 'sid', 'created_at', 'id'],
};

export function callsIndexesMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      for (const [name, columns] of Object.entries(INDEXES)) {
        await db.schema.createIndex(name).on('calls').columns(columns).execute();
      }
    },
  };
}
