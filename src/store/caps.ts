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
  const windowStart = (type: CapType, zone: string, resetAt: number | null) =>
    type === 'Hard' ? capWindowStart(type, now, zone, resetAt) : periodStart(type, zone, now);
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

/** A cap period can only begin at a quarter hour of UTC (zone offsets are whole quarter hours). */
const SLOT_MS = 15 * 60_000;
const periodStarts = new Map<string, { slot: number; at: number }>();

/**
 * Where a periodic cap's current period began in a zone. It depends on the zone and the period only,
 * and moves only at a quarter hour: remembered per zone and period for the quarter hour it was computed
 * in (luxon's zone arithmetic cost ~0.3 ms per call, three per page of targets).
 */
function periodStart(type: Exclude<CapType, 'Hard'>, zone: string, now: number): number {
  const key = `${type}|${zone}`;
  const slot = Math.floor(now / SLOT_MS);
  const known = periodStarts.get(key);
  if (known?.slot === slot) return known.at;
  const at = capWindowStart(type, now, zone, null);
  if (periodStarts.size >= 1000) periodStarts.clear();
  periodStarts.set(key, { slot, at });
  return at;
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
      const ofType = mine.filter((c) => c.type === t);
      // Owners in one zone share their periods' starts: one bound then, instead of a CASE over owners
      // (a page of 25 targets built a 100-branch expression). Owners without this cap get a count too,
      // which no view reads.
      const start = ofType[0].windowStart;
      if (ofType.every((c) => c.windowStart === start)) {
        return sql<number>`count(case when ${sql.ref('hit_at')} >= ${start} then 1 end)`.as(t);
      }
      const whens = ofType.map((c) => sql`when ${c.ownerId} then cast(${c.windowStart} as bigint)`);
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
