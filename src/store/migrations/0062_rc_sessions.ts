import type { Kysely } from 'kysely';

/**
 * Sessions the RingCentral face started itself (call-out, ring-out, conference): how it started, who
 * started it and which phone rang first. Kept beside the engine's call record (same uuid) rather than in
 * it, because only this face reads them; a conference has a row before it has any call.
 */
export function rcSessionsMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('rc_sessions')
        .addColumn('uuid', 'text', (c) => c.primaryKey())
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('person_id', 'integer', (c) => c.notNull())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('first_to', 'text')
        .addColumn('voice_call_token', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('rc_sessions_company')
        .on('rc_sessions')
        .columns(['company_id', 'person_id'])
        .execute();
    },
  };
}
