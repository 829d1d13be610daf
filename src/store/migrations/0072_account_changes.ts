import { type Kysely, sql } from 'kysely';
import type { Dialect } from './kit.js';

/**
 * The config_changes rows (migration 0071) of this scope say who may authenticate changed: no company
 * has id 0. AccountService caches principals by key and compares this scope's newest id per request.
 */
export const ACCOUNTS_SCOPE = 0;

/**
 * What authentication reads, and which of its changes matter: a key's hash and active company, who
 * belongs to which company, which companies live, a made key's secret, role, company and revocation.
 * Inserted users and keys need no row (unknown keys are never cached); api_keys.last_used_at, written
 * as keys are used, is no change.
 */
const WATCHED: { table: string; insert: boolean; columns?: string[] }[] = [
  { table: 'users', insert: false, columns: ['api_key_hash', 'active_company_id'] },
  { table: 'memberships', insert: true },
  { table: 'companies', insert: false, columns: ['deleted_at'] },
  { table: 'api_keys', insert: false, columns: ['key_hash', 'role', 'company_id', 'user_id', 'revoked_at'] },
];

export function accountChangesMigration(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const mark = `INSERT INTO config_changes (company_id) VALUES (${ACCOUNTS_SCOPE})`;
      if (dialect === 'postgres') {
        await sql
          .raw(`CREATE FUNCTION accounts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${mark};
  RETURN NULL;
END $$`)
          .execute(db);
      }
      for (const { table, insert, columns } of WATCHED) {
        const events = [
          ...(insert ? ['INSERT'] : []),
          columns ? `UPDATE OF ${columns.join(', ')}` : 'UPDATE',
          'DELETE',
        ];
        for (const event of events) {
          const name = `${table}_accounts_${event.split(' ')[0].toLowerCase()}`;
          // `UPDATE OF` fires for a listed column set to its own value too: a spurious refresh, never a missed one.
          await sql
            .raw(
              dialect === 'postgres'
                ? `CREATE TRIGGER ${name} AFTER ${event} ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION accounts_changed()`
                : `CREATE TRIGGER ${name} AFTER ${event} ON ${table} BEGIN ${mark}; END`,
            )
            .execute(db);
        }
      }
    },
  };
}
