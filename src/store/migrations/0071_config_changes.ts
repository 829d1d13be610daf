import { type Kysely, sql } from 'kysely';
import type { Dialect } from './kit.js';

/**
 * The tables whose rows decide where a call or a ping goes (routing lists, buyers, their caps, hours
 * and tags, conversion rules, postback keys, publishers, pools), each with how a row names its company.
 */
export const CONFIG_TABLES: Record<string, (row: 'NEW' | 'OLD') => string> = {
  campaigns: (r) => `${r}.company_id`,
  targets: (r) => `${r}.company_id`,
  target_groups: (r) => `${r}.company_id`,
  target_group_members: (r) => `(SELECT company_id FROM target_groups WHERE id = ${r}.target_group_id)`,
  routing_entries: (r) => `${r}.company_id`,
  caps: (r) => `${r}.company_id`,
  business_hours: (r) => `(SELECT company_id FROM targets WHERE id = ${r}.target_id)`,
  tag_values: (r) => `${r}.company_id`,
  conversion_rules: (r) => `${r}.company_id`,
  postback_keys: (r) => `${r}.company_id`,
  affiliates: (r) => `${r}.company_id`,
  number_pools: (r) => `${r}.company_id`,
};

/**
 * Every write to a configuration table appends a row naming its company (triggers, so every writer
 * counts: any service, any process, raw SQL). A company's configuration version is its newest row's
 * id: caches of routing lists, keys and publishers compare it with the version they were read at, one
 * index probe, instead of re-reading on a timer. Insert-only, like report_call_changes: concurrent
 * writers never wait on one hot row (a counter row would also order every config transaction's locks
 * behind it on PostgreSQL). Cap usage (cap_hits) is not configuration: it changes with every connected
 * call, and readers follow it by cap_hits' own newest id.
 */
export function configChangesMigration(dialect: Dialect) {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('config_changes')
        .addColumn('id', pg ? 'bigserial' : 'integer', (c) =>
          pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('company_id', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('config_changes_company')
        .on('config_changes')
        .columns(['company_id', 'id'])
        .execute();
      for (const [table, company] of Object.entries(CONFIG_TABLES)) {
        if (pg) await postgresTriggers(db, table, company);
        else await sqliteTriggers(db, table, company);
      }
    },
  };
}

async function sqliteTriggers(db: Kysely<any>, table: string, company: (r: 'NEW' | 'OLD') => string) {
  const mark = (r: 'NEW' | 'OLD') => `INSERT INTO config_changes (company_id) SELECT ${company(r)};`;
  // An UPDATE that changes nothing (a pool row locked by a no-op update while numbers are provisioned)
  // is no change. SQLite has no row comparison: the columns the table has now are compared.
  const { rows } = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(db);
  const changed = rows.map((c) => `OLD."${c.name}" IS NOT NEW."${c.name}"`).join(' OR ');
  for (const [event, row, when] of [
    ['INSERT', 'NEW', ''],
    ['UPDATE', 'NEW', ` AND (${changed})`],
    ['DELETE', 'OLD', ''],
  ] as const) {
    await sql
      .raw(
        `CREATE TRIGGER ${table}_config_${event.toLowerCase()} AFTER ${event} ON ${table} WHEN ${company(row)} IS NOT NULL${when} BEGIN ${mark(row)} END`,
      )
      .execute(db);
  }
}

async function postgresTriggers(db: Kysely<any>, table: string, company: (r: 'NEW' | 'OLD') => string) {
  await sql
    .raw(`CREATE FUNCTION ${table}_config_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO config_changes (company_id) SELECT c FROM (SELECT ${company('OLD')} AS c) x WHERE c IS NOT NULL;
  ELSE
    INSERT INTO config_changes (company_id) SELECT c FROM (SELECT ${company('NEW')} AS c) x WHERE c IS NOT NULL;
  END IF;
  RETURN NULL;
END $$`)
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER ${table}_config AFTER INSERT OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_config_changed()`,
    )
    .execute(db);
  // An UPDATE that changes nothing (a pool row locked by a no-op update while numbers are provisioned) is no change.
  await sql
    .raw(
      `CREATE TRIGGER ${table}_config_update AFTER UPDATE ON ${table} FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION ${table}_config_changed()`,
    )
    .execute(db);
}
