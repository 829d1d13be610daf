import type { Kysely } from 'kysely';

/**
 * Several processes on one database: each live call records the process that runs it (so a restart
 * ends only its own calls) and why it ended; each delivery on the wire records the worker that sent it
 * and until when (so a restart re-queues only its own rows, and others' only once their lease expired).
 */
export function processOwnershipMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('calls').addColumn('owner_process', 'text').execute();
      await db.schema.alterTable('calls').addColumn('end_reason', 'text').execute();
      await db.schema
        .createIndex('calls_owner_live')
        .on('calls')
        .columns(['owner_process', 'status'])
        .execute();
      await db.schema.alterTable('deliveries').addColumn('lease_owner', 'text').execute();
      await db.schema.alterTable('deliveries').addColumn('lease_expires_at', 'bigint').execute();
    },
  };
}
