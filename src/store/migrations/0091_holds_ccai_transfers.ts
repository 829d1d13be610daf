import type { Kysely } from 'kysely';
import type { ColumnKit } from './kit.js';

/**
 * Hold periods of any call's legs (the engine writes one per hold, whichever face asked for it), and
 * what the CCAI face adds to its calls: integer ids for the engine's transfers, and how a scheduled
 * call ended up when its time came (deflected by its menu, or a callback recovering a failed call).
 */
export function holdsCcaiTransfersMigration(k: ColumnKit) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('call_holds')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('call_uuid', 'text', (c) => c.notNull())
        .addColumn('leg_id', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .execute();
      await db.schema.createIndex('call_holds_call').on('call_holds').columns(['call_uuid']).execute();
      await db.schema.createIndex('call_holds_leg').on('call_holds').columns(['leg_id']).execute();

      await db.schema
        .createTable('ccai_transfers')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('call_id', 'integer', (c) => c.notNull())
        .addColumn('transfer_id', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ccai_transfers_call')
        .on('ccai_transfers')
        .columns(['call_id', 'id'])
        .execute();

      await db.schema.alterTable('ccai_calls').addColumn('deflection', 'text').execute();
      await db.schema
        .alterTable('ccai_calls')
        .addColumn('recovers', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
