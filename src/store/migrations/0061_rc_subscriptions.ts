import type { Kysely } from 'kysely';

/** RingCentral-face subscriptions (WebHook ones outlive a restart; WebSocket ones die with their session). */
export function rcSubscriptionsMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('rc_subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('person_id', 'integer', (c) => c.notNull())
        .addColumn('event_filters', 'text', (c) => c.notNull())
        .addColumn('transport', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .addColumn('ws_session', 'text')
        .addColumn('expires_in', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('rc_subscriptions_company')
        .on('rc_subscriptions')
        .columns(['company_id', 'deleted_at', 'expires_at'])
        .execute();
    },
  };
}
