import type { Kysely } from 'kysely';
import type { ColumnKit } from './kit.js';

/**
 * Postback-key options of Retreaver's current key form (docs/compat.md "Postback-key options"), and
 * the data-writing tags stored for callers whose call has not arrived yet.
 */
export function postbackKeyOptionsMigration(k: ColumnKit) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const add = (name: string, type: 'text' | 'integer', dflt?: string | number) =>
        db.schema
          .alterTable('postback_keys')
          .addColumn(name, type, (c) => (dflt === undefined ? c : c.notNull().defaultTo(dflt)))
          .execute();
      await add('action', 'text', 'rtb');
      await add('tag_prefix', 'text');
      await add('timeout_ms', 'integer', 3000);
      await add('inbound_number', 'text');
      for (const flag of [
        'return_dba',
        'add_to_caps_on_status_reserved',
        'route_only_to_reserved_target',
        'allow_no_caller_number',
        'paused',
      ])
        await add(flag, 'integer', 0);
      await add('claim_percent_threshold', 'integer', 10);
      await add('blocked_inbound_percent', 'integer', 50);
      await add('ping_shield_outbound_count_limit', 'integer');
      await add('ping_shield_outbound_ms_limit', 'integer');
      await db.schema
        .createTable('stored_tags')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('postback_key_id', 'integer', (c) => c.notNull())
        .addColumn('caller_number', 'text')
        .addColumn('call_uuid', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('applied_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('stored_tags_caller')
        .on('stored_tags')
        .columns(['company_id', 'caller_number', 'applied_at'])
        .execute();
      await db.schema
        .createIndex('stored_tags_call')
        .on('stored_tags')
        .columns(['call_uuid', 'applied_at'])
        .execute();
    },
  };
}
