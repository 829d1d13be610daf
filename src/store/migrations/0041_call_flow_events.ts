import type { Kysely } from 'kysely';
import type { ColumnKit } from './kit.js';

/** A call's journey as it happened (docs/call-flow-events.md). */
export function callFlowEventsMigration(k: ColumnKit) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('call_flow_events')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('call_uuid', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('call_flow_events_call')
        .on('call_flow_events')
        .columns(['call_uuid', 'seq'])
        .execute();
    },
  };
}
