import { sql } from 'kysely';
import { CAP_ATTRIBUTES, CAP_TYPES, type CapType, capWindowStart } from '../domain/caps.js';
import type { Conn } from '../store/db.js';
import type { CapOwner } from '../store/schema.js';

/** One cap as the API shows it: `filled` is how many calls count against it right now. */
export interface CapView {
  id: number;
  type: CapType;
  cap: number | null;
  filled: number;
  /** Epoch ms the current period began (the live cap counters key their windows on it). */
  windowStart: number;
}

/** What a request asks to change: the new limit of each cap it mentions (null lifts the cap). */
export type CapChanges = Partial<Record<CapType, number | null>>;

/**
 * How many calls an owner is on right now. Live calls belong to the engine (a later issue); until it
 * exists there are none, and the engine will hand its own counter to the services instead.
 */
export type CallsInProgress = (owner: CapOwner, ownerId: number) => number;
export const noLiveCallsYet: CallsInProgress = () => 0;

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

/**
 * The caps of many owners, each with `filled` counted from the `cap_hits` rows since the start of its
 * current period in that owner's zone. One small indexed query per owner.
 */
export async function capsOf(
  conn: Conn,
  owner: CapOwner,
  owners: { id: number; zone: string }[],
  now: number,
  /** Routing only needs the caps that are set; the API shows every cap's count. */
  opts: { countUnset?: boolean } = {},
): Promise<Map<number, CapView[]>> {
  const countUnset = opts.countUnset ?? true;
  const out = new Map<number, CapView[]>();
  if (owners.length === 0) return out;
  const rows = await conn
    .selectFrom('caps')
    .select(['id', 'owner_id', 'type', 'cap', 'reset_at'])
    .where('owner_type', '=', owner)
    .where(
      'owner_id',
      'in',
      owners.map((o) => o.id),
    )
    .execute();
  for (const { id, zone } of owners) {
    const mine = rows.filter((r) => r.owner_id === id && (countUnset || r.cap !== null));
    const starts = mine.map((c) => capWindowStart(c.type, now, zone, c.reset_at));
    const counts = await countHits(conn, owner, id, starts, now);
    const views = mine.map((c, i) => ({
      id: c.id,
      type: c.type,
      cap: c.cap,
      filled: counts[i],
      windowStart: starts[i],
    }));
    out.set(
      id,
      CAP_TYPES.map((t) => views.find((v) => v.type === t)).filter((v): v is CapView => v !== undefined),
    );
  }
  return out;
}

/** How many hits of one owner fall in each window [start, now]. */
async function countHits(
  conn: Conn,
  owner: CapOwner,
  ownerId: number,
  starts: number[],
  now: number,
): Promise<number[]> {
  if (starts.length === 0) return [];
  const row = await conn
    .selectFrom('cap_hits')
    .select(
      starts.map((s, i) => sql<number>`count(case when ${sql.ref('hit_at')} >= ${s} then 1 end)`.as(`w${i}`)),
    )
    .where('owner_type', '=', owner)
    .where('owner_id', '=', ownerId)
    .where('hit_at', '>=', Math.min(...starts))
    .where('hit_at', '<=', now)
    .executeTakeFirst();
  const counts = (row ?? {}) as Record<string, number | string>;
  return starts.map((_s, i) => Number(counts[`w${i}`] ?? 0));
}
