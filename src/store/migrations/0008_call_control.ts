import type { Kysely } from 'kysely';
import type { ColumnKit } from './kit.js';

/** Call Control API keys, targets' live-call mode, and the transfers the engine records. */
export function callControlMigration(k: ColumnKit) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('call_control_keys')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('key_prefix', 'text', (c) => c.notNull())
        .addColumn('target_id', 'integer')
        .addColumn('target_group_id', 'integer')
        .addColumn('actions', 'text', (c) => c.notNull())
        .addColumn('return_timeout_seconds', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('call_control_keys_company')
        .on('call_control_keys')
        .columns(['company_id', 'id'])
        .execute();

      await db.schema.alterTable('targets').addColumn('live_call_mode', 'text').execute();

      await db.schema
        .createTable('call_transfers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('call_uuid', 'text', (c) => c.notNull())
        .addColumn('downstream_call_uuid', 'text')
        .addColumn('transfer_to', 'text', (c) => c.notNull())
        .addColumn('hold_caller', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('leg_id', 'text')
        .addColumn('transferor_leg_id', 'text')
        .addColumn('created_by_key_id', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('answered_at', 'bigint')
        .addColumn('ended_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('call_transfers_call')
        .on('call_transfers')
        .columns(['call_uuid'])
        .execute();
      // active_calls looks transfers up by where they went.
      await db.schema
        .createIndex('call_transfers_to')
        .on('call_transfers')
        .columns(['company_id', 'transfer_to', 'status'])
        .execute();
    },
  };
}
