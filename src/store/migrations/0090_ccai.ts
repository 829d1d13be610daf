import { type Kysely, sql } from 'kysely';
import type { ColumnKit } from './kit.js';

/** The CCAI Platform face: its keys, menus, outbound numbers, end users, calls and participants. */
export function ccaiMigration(k: ColumnKit) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('ccai_keys')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull().unique())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();

      await db.schema
        .createTable('ccai_menus')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('menu_type', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'integer')
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('output_msg', 'text')
        .addColumn('hidden', 'integer', (c) => c.notNull())
        .addColumn('languages', 'text', (c) => c.notNull())
        .addColumn('agent_ids', 'text', (c) => c.notNull())
        .addColumn('offer_type', 'text', (c) => c.notNull())
        .addColumn('manual_redirection', 'integer', (c) => c.notNull())
        .addColumn('hours', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('ccai_menus_company')
        .on('ccai_menus')
        .columns(['company_id', 'id'])
        .execute();

      await db.schema
        .createTable('ccai_outbound_numbers')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('is_default', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();
      // A number once per company, and at most one default (the service keeps exactly one).
      await db.schema
        .createIndex('ccai_outbound_numbers_number')
        .on('ccai_outbound_numbers')
        .columns(['company_id', 'number'])
        .unique()
        .where(sql.ref('deleted_at'), 'is', null)
        .execute();

      await db.schema
        .createTable('ccai_end_users')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('ticket_id', 'text')
        .addColumn('phone_number', 'text')
        .addColumn('name', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('ccai_end_users_ticket')
        .on('ccai_end_users')
        .columns(['company_id', 'ticket_id'])
        .execute();

      await db.schema
        .createTable('ccai_calls')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('call_type', 'text', (c) => c.notNull())
        .addColumn('lang', 'text', (c) => c.notNull())
        .addColumn('call_uuid', 'text', (c) => c.unique())
        .addColumn('parent_id', 'integer')
        .addColumn('menu_id', 'integer')
        .addColumn('agent_id', 'integer')
        .addColumn('agent_ids', 'text', (c) => c.notNull())
        .addColumn('offer_type', 'text')
        .addColumn('end_user_id', 'integer')
        .addColumn('end_user_number', 'text', (c) => c.notNull())
        .addColumn('out_ticket_id', 'text')
        .addColumn('outbound_number', 'text', (c) => c.notNull())
        .addColumn('recording_permission', 'text', (c) => c.notNull())
        .addColumn('verified_customer', 'integer', (c) => c.notNull())
        .addColumn('bad_actor', 'integer', (c) => c.notNull())
        .addColumn('repeat_customer', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('queued_at', 'bigint')
        .addColumn('scheduled_at', 'bigint')
        .addColumn('placed_at', 'bigint')
        .addColumn('cancelled_at', 'bigint')
        .addColumn('fail_reason', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ccai_calls_company')
        .on('ccai_calls')
        .columns(['company_id', 'id'])
        .execute();
      // The scheduler's read on start: calls still waiting for their time.
      await db.schema
        .createIndex('ccai_calls_waiting')
        .on('ccai_calls')
        .columns(['scheduled_at'])
        .where(sql.ref('placed_at'), 'is', null)
        .execute();

      await db.schema
        .createTable('ccai_participants')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('call_id', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('user_id', 'integer')
        .addColumn('end_user_id', 'integer')
        .addColumn('leg_id', 'text', (c) => c.unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ccai_participants_call')
        .on('ccai_participants')
        .columns(['call_id', 'id'])
        .execute();
    },
  };
}
