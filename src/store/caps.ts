import { sql } from 'kysely';
import { CAP_TYPES, type CapType, capWindowStart } from '../domain/caps.js';
import type { Conn } from './db.js';
import type { CapOwner } from './schema.js';

/** One cap as the API shows it: `filled` is how many calls count against it right now. */
export interface CapView {
  id: number;
  type: CapType;
  cap: number | null;
  filled: number;
  /** Epoch ms the current period began (the live cap counters key their windows on it). */
  windowStart: number;
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
