import { type Kysely, sql } from 'kysely';
import type { ColumnKit } from './kit.js';

/** People with phones (Core `/users.json`), their JWT credentials, OAuth clients and tokens. */
export function peopleMigration(k: ColumnKit) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('people')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('email_key', 'text', (c) => c.notNull())
        .addColumn('first_name', 'text')
        .addColumn('last_name', 'text')
        .addColumn('extension_number', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('phone_number', 'text')
        .addColumn('agent_number', 'text')
        .addColumn('can_make_calls', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();
      // Unique among live people only: a soft-deleted person's email and extension can be used again.
      for (const col of ['email_key', 'extension_number']) {
        await db.schema
          .createIndex(`people_company_${col}`)
          .on('people')
          .columns(['company_id', col])
          .unique()
          .where(sql.ref('deleted_at'), 'is', null)
          .execute();
      }
      await db.schema
        .createIndex('people_phone')
        .on('people')
        .columns(['company_id', 'phone_number'])
        .execute();

      await db.schema
        .createTable('person_jwts')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('person_id', 'integer', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();

      await db.schema
        .createTable('oauth_apps')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull().unique())
        .addColumn('client_secret_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();

      await db.schema
        .createTable('oauth_tokens')
        .addColumn('id', k.id, k.pk)
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .addColumn('person_id', 'integer', (c) => c.notNull())
        .addColumn('app_id', 'integer', (c) => c.notNull())
        .addColumn('access_hash', 'text', (c) => c.notNull().unique())
        .addColumn('refresh_hash', 'text', (c) => c.notNull().unique())
        .addColumn('access_expires_at', 'bigint', (c) => c.notNull())
        .addColumn('refresh_expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
    },
  };
}
