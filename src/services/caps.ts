import { CAP_ATTRIBUTES, CAP_TYPES, type CapType } from '../domain/caps.js';
import type { Conn } from '../store/db.js';
import type { CapOwner } from '../store/schema.js';

export { type CapView, capsOf } from '../store/caps.js';

/** What a request asks to change: the new limit of each cap it mentions (null lifts the cap). */
export type CapChanges = Partial<Record<CapType, number | null>>;

/** How many calls each of these owners is on right now (the live state's counts, one read). */
export type CallsInProgress = (owner: CapOwner, ownerIds: readonly number[]) => Promise<Map<number, number>>;
export const noLiveCallsYet: CallsInProgress = async () => new Map();

/** Reads `hard_cap_attributes: {cap}` and friends off a request body. */
export function capChangesOf(
  input: Partial<Record<keyof typeof CAP_ATTRIBUTES, { cap: number | null }>>,
): CapChanges {
  const out: CapChanges = {};
  for (const [attr, type] of Object.entries(CAP_ATTRIBUTES)) {
    const given = input[attr as keyof typeof CAP_ATTRIBUTES];
    if (given !== undefined) out[type] = given.cap;
  }
  return out;
}

/** Every owner has all four caps from birth, unlimited unless the request set them. */
export async function createCaps(
  conn: Conn,
  owner: { companyId: number; type: CapOwner; id: number },
  changes: CapChanges,
  now: number,
): Promise<void> {
  await conn
    .insertInto('caps')
    .values(
      CAP_TYPES.map((type) => ({
        company_id: owner.companyId,
        owner_type: owner.type,
        owner_id: owner.id,
        type,
        cap: changes[type] ?? null,
        reset_at: null,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
}

export async function updateCaps(
  conn: Conn,
  owner: CapOwner,
  ownerId: number,
  changes: CapChanges,
  now: number,
): Promise<void> {
  for (const [type, cap] of Object.entries(changes)) {
    await conn
      .updateTable('caps')
      .set({ cap, updated_at: now })
      .where('owner_type', '=', owner)
      .where('owner_id', '=', ownerId)
      .where('type', '=', type as CapType)
      .execute();
  }
}

/** Starts the hard caps of these owners afresh: only calls after `now` count. */
export async function resetHardCaps(
  conn: Conn,
  owner: CapOwner,
  ownerIds: number[],
  now: number,
): Promise<void> {
  if (ownerIds.length === 0) return;
  await conn
    .updateTable('caps')
    .set({ reset_at: now, updated_at: now })
    .where('owner_type', '=', owner)
    .where('owner_id', 'in', ownerIds)
    .where('type', '=', 'Hard')
    .execute();
}
