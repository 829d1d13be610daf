import { type FieldErrors, ValidationFailed } from '../domain/errors.js';
import type { Conn } from '../store/db.js';
import type { RoutingOwner } from '../store/schema-calls.js';

/**
 * Routing lists: which targets and target groups a campaign, a number (override) or a menu option routes
 * to. Set like a target group's members: `target_ids` / `target_group_ids` replace, the `add_…_by_id` /
 * `remove_…_by_id` helpers edit.
 */
export interface RoutingListInput {
  target_ids?: number[];
  target_group_ids?: number[];
  add_targets_by_id?: number[];
  remove_targets_by_id?: number[];
  add_target_groups_by_id?: number[];
  remove_target_groups_by_id?: number[];
}

export interface RoutingList {
  target_ids: number[];
  target_group_ids: number[];
}

const KEYS: (keyof RoutingListInput)[] = [
  'target_ids',
  'target_group_ids',
  'add_targets_by_id',
  'remove_targets_by_id',
  'add_target_groups_by_id',
  'remove_target_groups_by_id',
];

export function touchesRoutingList(input: RoutingListInput): boolean {
  return KEYS.some((k) => input[k] !== undefined);
}

/** The next list after applying the input to the current one (pure). */
export function nextRoutingList(current: RoutingList, input: RoutingListInput): RoutingList {
  const edit = (list: number[], replace?: number[], add?: number[], remove?: number[]) => {
    let out = replace ? [...replace] : [...list];
    for (const id of add ?? []) if (!out.includes(id)) out.push(id);
    out = out.filter((id) => !(remove ?? []).includes(id));
    return [...new Set(out)];
  };
  return {
    target_ids: edit(
      current.target_ids,
      input.target_ids,
      input.add_targets_by_id,
      input.remove_targets_by_id,
    ),
    target_group_ids: edit(
      current.target_group_ids,
      input.target_group_ids,
      input.add_target_groups_by_id,
      input.remove_target_groups_by_id,
    ),
  };
}

/** Refuses ids that are not live targets / groups of this company, naming them; writes nothing. */
export async function checkRoutingList(
  conn: Conn,
  companyId: number,
  list: RoutingList,
  errors: FieldErrors,
  prefix = '',
): Promise<void> {
  const missing = async (table: 'targets' | 'target_groups', ids: number[]) => {
    if (!ids.length) return [];
    const found = await conn
      .selectFrom(table)
      .select('id')
      .where('company_id', '=', companyId)
      .where('id', 'in', ids)
      .where('deleted_at', 'is', null)
      .execute();
    const ok = new Set(found.map((r) => r.id));
    return ids.filter((id) => !ok.has(id));
  };
  const t = await missing('targets', list.target_ids);
  const add = (field: string, msg: string) => {
    errors[field] = [...(errors[field] ?? []), msg];
  };
  if (t.length) add(`${prefix}target_ids`, `unknown target ids: ${t.join(', ')}`);
  const g = await missing('target_groups', list.target_group_ids);
  if (g.length) add(`${prefix}target_group_ids`, `unknown target group ids: ${g.join(', ')}`);
}

export async function routingListsOf(
  conn: Conn,
  owner: RoutingOwner,
  ownerIds: number[],
): Promise<Map<number, RoutingList>> {
  const out = new Map<number, RoutingList>();
  for (const id of ownerIds) out.set(id, { target_ids: [], target_group_ids: [] });
  if (!ownerIds.length) return out;
  const rows = await conn
    .selectFrom('routing_entries')
    .selectAll()
    .where('owner_type', '=', owner)
    .where('owner_id', 'in', ownerIds)
    .orderBy('position')
    .execute();
  for (const r of rows) {
    const list = out.get(r.owner_id)!;
    if (r.target_id) list.target_ids.push(r.target_id);
    if (r.target_group_id) list.target_group_ids.push(r.target_group_id);
  }
  return out;
}

/** Validates and stores the edited list; returns it. */
export async function applyRoutingList(
  conn: Conn,
  companyId: number,
  owner: RoutingOwner,
  ownerId: number,
  input: RoutingListInput,
): Promise<RoutingList> {
  const current = (await routingListsOf(conn, owner, [ownerId])).get(ownerId)!;
  const next = nextRoutingList(current, input);
  const errors: FieldErrors = {};
  await checkRoutingList(conn, companyId, next, errors);
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  await writeRoutingList(conn, companyId, owner, ownerId, next);
  return next;
}

export async function writeRoutingList(
  conn: Conn,
  companyId: number,
  owner: RoutingOwner,
  ownerId: number,
  list: RoutingList,
): Promise<void> {
  await conn
    .deleteFrom('routing_entries')
    .where('owner_type', '=', owner)
    .where('owner_id', '=', ownerId)
    .execute();
  const rows = [
    ...list.target_ids.map((target_id) => ({ target_id, target_group_id: null })),
    ...list.target_group_ids.map((target_group_id) => ({ target_id: null, target_group_id })),
  ].map((r, position) => ({ ...r, position, company_id: companyId, owner_type: owner, owner_id: ownerId }));
  if (rows.length) await conn.insertInto('routing_entries').values(rows).execute();
}
