import type { Selectable } from 'kysely';
import type { Conn } from './db.js';
import { fetchPage } from './paging.js';
import type { TagsTable } from './schema-reports.js';

/** SQL of the Tags resource (the keys a company's reports index). */

export type TagRow = Selectable<TagsTable>;

export function listTags(conn: Conn, companyId: number, page: number) {
  return fetchPage(
    conn.selectFrom('tags').selectAll().where('company_id', '=', companyId).orderBy('id'),
    page,
  );
}

export function findTag(conn: Conn, companyId: number, id: number): Promise<TagRow | undefined> {
  return conn
    .selectFrom('tags')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findTagByKey(conn: Conn, companyId: number, key: string): Promise<TagRow | undefined> {
  return conn
    .selectFrom('tags')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('key', '=', key)
    .executeTakeFirst();
}

export function insertTag(conn: Conn, companyId: number, key: string, now: number): Promise<TagRow> {
  return conn
    .insertInto('tags')
    .values({
      company_id: companyId,
      key,
      indexed_from: now,
      reindexed_at: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function markReindexed(conn: Conn, id: number, now: number): Promise<void> {
  await conn
    .updateTable('tags')
    .set({ indexed_from: null, reindexed_at: now, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function deleteTag(conn: Conn, id: number): Promise<void> {
  await conn.deleteFrom('tags').where('id', '=', id).execute();
}

/** key → indexed_from of every created tag of the company. */
export async function tagIndexOf(conn: Conn, companyId: number): Promise<Map<string, number | null>> {
  const rows = await conn
    .selectFrom('tags')
    .select(['key', 'indexed_from'])
    .where('company_id', '=', companyId)
    .execute();
  return new Map(rows.map((r) => [r.key, r.indexed_from]));
}

/** The company's time zone name and its created tags, in one read (each report starts with both). */
export async function reportSettings(
  conn: Conn,
  companyId: number,
): Promise<{ timeZone: string; tags: Map<string, number | null> }> {
  const rows = await conn
    .selectFrom('companies')
    .leftJoin('tags', 'tags.company_id', 'companies.id')
    .select(['companies.time_zone', 'tags.key', 'tags.indexed_from'])
    .where('companies.id', '=', companyId)
    .execute();
  const tags = new Map<string, number | null>();
  for (const r of rows)
    if (r.key !== null) tags.set(r.key, r.indexed_from === null ? null : Number(r.indexed_from));
  return { timeZone: rows[0]?.time_zone ?? 'UTC', tags };
}
