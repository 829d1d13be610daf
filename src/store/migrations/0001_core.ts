import { type Kysely, sql } from 'kysely';
import type { ColumnKit } from './kit.js';

/** Configuration resources of the Retreaver Core API (companies through static caller numbers). */
export function coreMigration(k: ColumnKit) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const s = db.schema;
      const stamps = <T extends { addColumn: any }>(t: T): T =>
        t
          .addColumn('created_at', 'bigint', (c: any) => c.notNull())
          .addColumn('updated_at', 'bigint', (c: any) => c.notNull());

      await stamps(
        s
          .createTable('companies')
          .addColumn('id', k.id, k.pk)
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('default_click_url', 'text')
          .addColumn('default_sale_url', 'text'),
      )
        .addColumn('deleted_at', 'bigint')
        .execute();

      await s
        .createTable('users')
        .addColumn('id', k.id, k.pk)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('api_key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('active_company_id', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await s
        .createTable('memberships')
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('memberships_pk', ['user_id', 'company_id'])
        .execute();

      await stamps(
        s
          .createTable('affiliates')
          .addColumn('id', k.id, k.pk)
          .addColumn('company_id', 'integer', (c) => c.notNull())
          .addColumn('afid', 'text', (c) => c.notNull())
          .addColumn('first_name', 'text')
          .addColumn('last_name', 'text')
          .addColumn('company_name', 'text'),
      )
        .addColumn('deleted_at', 'bigint')
        .execute();
      await liveUnique(db, 'affiliates_afid', 'affiliates', ['company_id', 'afid']);

      await stamps(
        s
          .createTable('targets')
          .addColumn('id', k.id, k.pk)
          .addColumn('company_id', 'integer', (c) => c.notNull())
          .addColumn('tid', 'text')
          .addColumn('name', 'text')
          .addColumn('number', 'text', (c) => c.notNull())
          .addColumn('sip_username', 'text')
          .addColumn('sip_password', 'text')
          .addColumn('cid_number_id', 'integer')
          .addColumn('obfuscate_cid', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('object_key', 'text', (c) => c.notNull())
          .addColumn('priority', 'integer', (c) => c.notNull())
          .addColumn('weight', 'integer', (c) => c.notNull())
          .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
          .addColumn('timer_offset', 'integer', (c) => c.notNull())
          .addColumn('send_digits', 'text')
          .addColumn('concurrency_cap', 'integer')
          .addColumn('inband_signals', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('time_zone', 'text', (c) => c.notNull())
          .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('paused_at', 'bigint'),
      )
        .addColumn('deleted_at', 'bigint')
        .execute();
      await s.createIndex('targets_company').on('targets').columns(['company_id', 'id']).execute();
      await liveUnique(db, 'targets_tid', 'targets', ['company_id', 'tid']);

      await stamps(
        s
          .createTable('caps')
          .addColumn('id', k.id, k.pk)
          .addColumn('company_id', 'integer', (c) => c.notNull())
          .addColumn('owner_type', 'text', (c) => c.notNull())
          .addColumn('owner_id', 'integer', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('cap', 'integer')
          .addColumn('reset_at', 'bigint'),
      ).execute();
      await s
        .createIndex('caps_owner')
        .on('caps')
        .columns(['owner_type', 'owner_id', 'type'])
        .unique()
        .execute();

      await s
        .createTable('cap_hits')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('owner_type', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'integer', (c) => c.notNull())
        .addColumn('call_uuid', 'text')
        .addColumn('hit_at', 'bigint', (c) => c.notNull())
        .execute();
      await s
        .createIndex('cap_hits_owner')
        .on('cap_hits')
        .columns(['owner_type', 'owner_id', 'hit_at'])
        .execute();

      await stamps(
        s
          .createTable('business_hours')
          .addColumn('id', k.id, k.pk)
          .addColumn('target_id', 'integer', (c) => c.notNull())
          .addColumn('day_of_week', 'integer', (c) => c.notNull())
          .addColumn('work_day', 'integer', (c) => c.notNull())
          .addColumn('time_open', 'integer', (c) => c.notNull())
          .addColumn('time_close', 'integer', (c) => c.notNull())
          .addColumn('invert', 'integer', (c) => c.notNull()),
      ).execute();
      await s
        .createIndex('business_hours_target')
        .on('business_hours')
        .columns(['target_id', 'day_of_week'])
        .execute();

      await s
        .createTable('tag_values')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('owner_type', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'integer', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('operator', 'text', (c) => c.notNull())
        .execute();
      await s.createIndex('tag_values_owner').on('tag_values').columns(['owner_type', 'owner_id']).execute();

      await stamps(
        s
          .createTable('target_groups')
          .addColumn('id', k.id, k.pk)
          .addColumn('company_id', 'integer', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('behavior', 'integer', (c) => c.notNull())
          .addColumn('priority', 'integer')
          .addColumn('weight', 'integer')
          .addColumn('concurrency_cap', 'integer'),
      )
        .addColumn('deleted_at', 'bigint')
        .execute();

      await s
        .createTable('target_group_members')
        .addColumn('target_group_id', 'integer', (c) => c.notNull())
        .addColumn('target_id', 'integer', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('target_group_members_pk', ['target_group_id', 'target_id'])
        .execute();
      await s
        .createIndex('target_group_members_target')
        .on('target_group_members')
        .column('target_id')
        .execute();

      await s
        .createTable('audio_files')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('data', k.blob, (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await stamps(
        s
          .createTable('campaigns')
          .addColumn('id', k.id, k.pk)
          .addColumn('company_id', 'integer', (c) => c.notNull())
          .addColumn('cid', 'text', (c) => c.notNull())
          .addColumn('name', 'text')
          .addColumn('record_calls', 'integer', (c) => c.notNull())
          .addColumn('record_seconds', 'integer', (c) => c.notNull())
          .addColumn('dedupe_seconds', 'integer', (c) => c.notNull())
          .addColumn('affiliate_can_pull_number', 'integer', (c) => c.notNull())
          .addColumn('show_key', 'text', (c) => c.notNull())
          .addColumn('greeting_message', 'text')
          .addColumn('greeting_voice_gender', 'text', (c) => c.notNull())
          .addColumn('greeting_audio_id', 'integer')
          .addColumn('repeat', 'integer', (c) => c.notNull()),
      )
        .addColumn('deleted_at', 'bigint')
        .execute();
      await liveUnique(db, 'campaigns_cid', 'campaigns', ['company_id', 'cid']);

      for (const table of ['timers', 'menu_options'] as const) {
        let t = s
          .createTable(table)
          .addColumn('id', k.id, k.pk)
          .addColumn('owner_type', 'text', (c) => c.notNull())
          .addColumn('owner_id', 'integer', (c) => c.notNull());
        t =
          table === 'timers'
            ? t
                .addColumn('seconds', 'integer', (c) => c.notNull())
                .addColumn('url', 'text', (c) => c.notNull())
            : t
                .addColumn('option', 'text', (c) => c.notNull())
                .addColumn('target_number', 'text')
                .addColumn('target_cid', 'text');
        await t.addColumn('created_at', 'bigint', (c) => c.notNull()).execute();
        await s.createIndex(`${table}_owner`).on(table).columns(['owner_type', 'owner_id']).execute();
      }

      await stamps(
        s
          .createTable('numbers')
          .addColumn('id', k.id, k.pk)
          .addColumn('company_id', 'integer', (c) => c.notNull())
          .addColumn('number', 'text', (c) => c.notNull())
          .addColumn('toll_free', 'integer', (c) => c.notNull())
          .addColumn('country', 'text', (c) => c.notNull())
          .addColumn('campaign_id', 'integer', (c) => c.notNull())
          .addColumn('affiliate_id', 'integer')
          .addColumn('sid', 'text')
          .addColumn('number_pool_id', 'integer')
          .addColumn('greeting_overridden', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('greeting_message', 'text')
          .addColumn('greeting_voice_gender', 'text')
          .addColumn('greeting_audio_id', 'integer')
          .addColumn('repeat', 'integer')
          .addColumn('timers_overridden', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('menu_overridden', 'integer', (c) => c.notNull().defaultTo(0)),
      )
        .addColumn('deleted_at', 'bigint')
        .execute();
      // A tracking number rings in exactly one company, so it is unique across the whole system.
      await liveUnique(db, 'numbers_number', 'numbers', ['number']);
      await s.createIndex('numbers_company').on('numbers').columns(['company_id', 'id']).execute();
      // Deletion rules and numbers_count look numbers up by campaign and by pool.
      await s.createIndex('numbers_campaign').on('numbers').column('campaign_id').execute();
      await s.createIndex('numbers_pool').on('numbers').column('number_pool_id').execute();

      await stamps(
        s
          .createTable('number_pools')
          .addColumn('id', k.id, k.pk)
          .addColumn('company_id', 'integer', (c) => c.notNull())
          .addColumn('campaign_id', 'integer', (c) => c.notNull())
          .addColumn('affiliate_id', 'integer')
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('country', 'text', (c) => c.notNull())
          .addColumn('max_pool_size', 'integer', (c) => c.notNull())
          .addColumn('buffer_seconds', 'integer', (c) => c.notNull())
          .addColumn('hide_embedded_access', 'integer', (c) => c.notNull())
          .addColumn('google_analytics', 'integer', (c) => c.notNull())
          .addColumn('ga_always_path', 'text', (c) => c.notNull())
          .addColumn('ga_connect_path', 'text', (c) => c.notNull())
          .addColumn('reserve_size', 'integer', (c) => c.notNull()),
      )
        .addColumn('deleted_at', 'bigint')
        .execute();

      // Contacts are soft-deleted (410 afterwards); their numbers are removed so the numbers can be reused.
      await stamps(
        s
          .createTable('contacts')
          .addColumn('id', k.id, k.pk)
          .addColumn('company_id', 'integer', (c) => c.notNull()),
      )
        .addColumn('deleted_at', 'bigint')
        .execute();
      await s.createIndex('contacts_company').on('contacts').columns(['company_id', 'id']).execute();
      await s
        .createTable('contact_numbers')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('contact_id', 'integer', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .execute();
      await s
        .createIndex('contact_numbers_number')
        .on('contact_numbers')
        .columns(['company_id', 'number'])
        .unique()
        .execute();

      await stamps(
        s
          .createTable('suppressed_numbers')
          .addColumn('id', k.id, k.pk)
          .addColumn('company_id', 'integer', (c) => c.notNull())
          .addColumn('number', 'text', (c) => c.notNull())
          .addColumn('can_resubscribe', 'integer', (c) => c.notNull())
          .addColumn('affiliate_id', 'integer')
          .addColumn('campaign_id', 'integer'),
      ).execute();
      await s
        .createIndex('suppressed_numbers_number')
        .on('suppressed_numbers')
        .columns(['company_id', 'number'])
        .unique()
        .execute();

      await s
        .createTable('static_caller_numbers')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();
      await liveUnique(db, 'static_caller_numbers_number', 'static_caller_numbers', ['company_id', 'number']);
    },
  };
}

/** Unique among rows that are not soft-deleted, so a deleted afid/cid/number can be used again. */
async function liveUnique(db: Kysely<any>, name: string, table: string, columns: string[]): Promise<void> {
  await db.schema
    .createIndex(name)
    .on(table)
    .columns(columns)
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
}
