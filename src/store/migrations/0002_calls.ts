import type { Kysely } from 'kysely';
import type { ColumnKit } from './kit.js';

const INT_COLUMNS_NOT_NULL = [
  'ivr_duration',
  'hold_duration',
  'dialed_call_duration',
  'total_duration',
  'repeat',
  'affiliate_repeat',
  'number_repeat',
  'duplicate',
  'payable_duplicate',
  'receivable_duplicate',
  'connected',
  'billable_minutes',
  'converted',
  'payable',
  'receivable',
  'rescued',
];
const INT_COLUMNS = [
  'number_id',
  'campaign_id',
  'affiliate_id',
  'target_id',
  'target_group_id',
  'time_to_connect_in_seconds',
  'target_repeat',
  'conversion_seconds',
];
const TIME_COLUMNS = [
  'ivr_started_at',
  'ivr_ended_at',
  'forwarded_time',
  'connected_time',
  'end_time',
  'conversions_determined_at',
  'network_sale_timer_fired',
  'affiliate_sale_timer_fired',
  'target_sale_timer_fired',
];
const TEXT_COLUMNS = [
  'caller_number_sent',
  'caller_zip',
  'caller_state',
  'caller_city',
  'caller_country',
  'cid',
  'campaign_name',
  'afid',
  'affiliate_name',
  'sid',
  'tid',
  'target_name',
  'target_group_name',
  'dialed_number',
  'hung_up_by',
  'recording_url',
  'visitor_url',
  'upstream_call_uuid',
];
const MONEY_COLUMNS = ['revenue', 'payout', 'postback_value'];

/** Call records and legs (the call engine writes them ahead and on every transition). */
export function callsMigration(k: ColumnKit) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      let t = db.schema
        .createTable('calls')
        .addColumn('id', k.id, k.pk)
        .addColumn('uuid', 'text', (c) => c.notNull().unique())
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('caller', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('start_time', 'bigint', (c) => c.notNull())
        .addColumn('keys_pressed', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('downstream_call_uuids', 'text', (c) => c.notNull())
        .addColumn('via', 'text', (c) => c.notNull())
        .addColumn('charge_total', 'real', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull());
      for (const col of INT_COLUMNS_NOT_NULL) t = t.addColumn(col, 'integer', (c) => c.notNull());
      for (const col of INT_COLUMNS) t = t.addColumn(col, 'integer');
      for (const col of TIME_COLUMNS) t = t.addColumn(col, 'bigint');
      for (const col of TEXT_COLUMNS) t = t.addColumn(col, 'text');
      for (const col of MONEY_COLUMNS) t = t.addColumn(col, 'real');
      await t.execute();
      await db.schema
        .createIndex('calls_company_created')
        .on('calls')
        .columns(['company_id', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('calls_company_caller')
        .on('calls')
        .columns(['company_id', 'caller', 'created_at'])
        .execute();

      await db.schema
        .createTable('call_legs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('call_uuid', 'text', (c) => c.notNull())
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('from_number', 'text', (c) => c.notNull())
        .addColumn('to_number', 'text', (c) => c.notNull())
        .addColumn('target_id', 'integer')
        .addColumn('target_group_id', 'integer')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('answered_at', 'bigint')
        .addColumn('ended_at', 'bigint')
        .addColumn('hung_up_by', 'text')
        .addColumn('end_reason', 'text')
        .execute();
      await db.schema.createIndex('call_legs_call').on('call_legs').column('call_uuid').execute();

      // A routing list: the targets and target groups a campaign, number or menu option routes to, in order.
      await db.schema
        .createTable('routing_entries')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('owner_type', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'integer', (c) => c.notNull())
        .addColumn('target_id', 'integer')
        .addColumn('target_group_id', 'integer')
        .addColumn('position', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('routing_entries_owner')
        .on('routing_entries')
        .columns(['owner_type', 'owner_id'])
        .execute();
    },
  };
}
