import type { TagValue } from '../domain/tags.js';
import type { Conn } from '../store/db.js';
import type { TagOwner } from '../store/schema.js';

export { type StoredTagValue, tagsOf } from '../store/tags.js';

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

export async function deleteTags(conn: Conn, owner: TagOwner, ownerId: number): Promise<void> {
  await conn
    .deleteFrom('tag_values')
    .where('owner_type', '=', owner)
    .where('owner_id', '=', ownerId)
    .execute();
}
