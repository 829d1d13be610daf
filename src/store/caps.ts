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
 * current period in that owner's zone. Two queries for any number of owners (a page, or a campaign's
 * whole routing list): the caps, then every window's count grouped by owner.
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
  // Period starts depend on the zone only (and a hard cap's reset): one time-zone computation per
  // zone and period, not one per owner.
  const starts = new Map<string, number>();
  const windowStart = (type: CapType, zone: string, resetAt: number | null) => {
    if (type === 'Hard') return capWindowStart(type, now, zone, resetAt);
    const key = `${type}|${zone}`;
    const known = starts.get(key);
    if (known !== undefined) return known;
    const at = capWindowStart(type, now, zone, null);
    starts.set(key, at);
    return at;
  };
  const zones = new Map(owners.map((o) => [o.id, o.zone]));
  const views: (CapView & { ownerId: number })[] = [];
  for (const r of rows) {
    if (!countUnset && r.cap === null) continue;
    const zone = zones.get(r.owner_id)!;
    const start = windowStart(r.type, zone, r.reset_at);
    views.push({ ownerId: r.owner_id, id: r.id, type: r.type, cap: r.cap, filled: 0, windowStart: start });
  }
  const counts = await countHits(conn, owner, views, now);
  for (const v of views) v.filled = counts.get(`${v.ownerId}|${v.type}`) ?? 0;
  for (const { id } of owners) {
    const mine = views.filter((v) => v.ownerId === id);
    out.set(
      id,
      CAP_TYPES.map((t) => mine.find((v) => v.type === t))
        .filter((v): v is CapView & { ownerId: number } => v !== undefined)
        .map(({ ownerId: _, ...v }) => v),
    );
  }
  return out;
}

/** Owners per counting query: keeps the bound parameters (two per cap) far below either database's limit. */
const OWNERS_PER_QUERY = 500;

/**
 * How many hits fall in each cap's window [start, now], keyed `ownerId|type`: per batch of owners one
 * query grouped by owner, each cap type's start picked per owner with a CASE.
 */
async function countHits(
  conn: Conn,
  owner: CapOwner,
  caps: { ownerId: number; type: CapType; windowStart: number }[],
  now: number,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const ownerIds = [...new Set(caps.map((c) => c.ownerId))];
  for (let i = 0; i < ownerIds.length; i += OWNERS_PER_QUERY) {
    const batch = new Set(ownerIds.slice(i, i + OWNERS_PER_QUERY));
    const mine = caps.filter((c) => batch.has(c.ownerId));
    const types = CAP_TYPES.filter((t) => mine.some((c) => c.type === t));
    const columns = types.map((t) => {
      const whens = mine
        .filter((c) => c.type === t)
        .map((c) => sql`when ${c.ownerId} then cast(${c.windowStart} as bigint)`);
      // An owner without this cap falls through the CASE to NULL, and NULL counts nothing.
      return sql<number>`count(case when ${sql.ref('hit_at')} >= (case ${sql.ref('owner_id')} ${sql.join(whens, sql` `)} end) then 1 end)`.as(
        t,
      );
    });
    const rows = await conn
      .selectFrom('cap_hits')
      .select('owner_id')
      .select(columns)
      .where('owner_type', '=', owner)
      .where('owner_id', 'in', [...batch])
      .where('hit_at', '>=', Math.min(...mine.map((c) => c.windowStart)))
      .where('hit_at', '<=', now)
      .groupBy('owner_id')
      .execute();
    for (const r of rows as Record<string, number | string>[]) {
      for (const t of types) out.set(`${r.owner_id}|${t}`, Number(r[t] ?? 0));
    }
  }
  return out;
}
