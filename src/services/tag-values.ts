import type { TagValue } from '../domain/tags.js';
import type { Conn } from '../store/db.js';
import type { TagOwner } from '../store/schema.js';

export interface StoredTagValue extends TagValue {
  id: number;
}

/** Tag values of targets and contacts. A tag_list replaces the whole set, as the seed says. */
export async function replaceTags(
  conn: Conn,
  companyId: number,
  owner: TagOwner,
  ownerId: number,
  tags: TagValue[],
): Promise<void> {
  await conn
    .deleteFrom('tag_values')
    .where('owner_type', '=', owner)
    .where('owner_id', '=', ownerId)
    .execute();
  if (tags.length === 0) return;
  await conn
    .insertInto('tag_values')
    .values(tags.map((t) => ({ company_id: companyId, owner_type: owner, owner_id: ownerId, ...t })))
    .execute();
}

/** Tags of many owners at once (one query for a whole page of targets or contacts). */
export async function tagsOf(
  conn: Conn,
  owner: TagOwner,
  ownerIds: number[],
): Promise<Map<number, StoredTagValue[]>> {
  const out = new Map<number, StoredTagValue[]>();
  if (ownerIds.length === 0) return out;
  const rows = await conn
    .selectFrom('tag_values')
    .select(['id', 'owner_id', 'key', 'value', 'operator'])
    .where('owner_type', '=', owner)
    .where('owner_id', 'in', ownerIds)
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.owner_id) ?? [];
    list.push({ id: r.id, key: r.key, value: r.value, operator: r.operator });
    out.set(r.owner_id, list);
  }
  return out;
}

export async function deleteTags(conn: Conn, owner: TagOwner, ownerId: number): Promise<void> {
  await conn
    .deleteFrom('tag_values')
    .where('owner_type', '=', owner)
    .where('owner_id', '=', ownerId)
    .execute();
}
