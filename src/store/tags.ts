import type { TagValue } from '../domain/tags.js';
import type { Conn } from './db.js';
import type { TagOwner } from './schema.js';

export interface StoredTagValue extends TagValue {
  id: number;
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
