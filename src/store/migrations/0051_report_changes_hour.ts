import type { Kysely } from 'kysely';

/** Applying logged changes reads the distinct hours of a company's change rows: from this index alone. */
export function reportChangesHourMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createIndex('report_call_changes_company_hour')
        .on('report_call_changes')
        .columns(['company_id', 'hour'])
        .execute();
    },
  };
}
