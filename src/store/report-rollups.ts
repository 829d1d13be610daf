import { sql } from 'kysely';
import type { FacetCall, FacetRow, RollupFacet } from '../domain/report-facets.js';
import { emptySums, SUM_FIELDS } from '../domain/report-metrics.js';
import type { Conn } from './db.js';
import type { Dialect } from './migrations/kit.js';

/** SQL of the report rollups (docs/reports.md); the service decides when to call what. */

// SQLite binds at most 32 766 parameters per statement; PostgreSQL 65 535.
const INSERT_CHUNK = 500;
const DELETE_CHUNK = 5_000;

/** Serializes rollup refreshes of one company across nodes (PostgreSQL); SQLite has one writer anyway. */
export async function lockCompanyRollups(tx: Conn, dialect: Dialect, companyId: number): Promise<void> {
  if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(5050, ${companyId})`.execute(tx);
}

export async function companyZone(conn: Conn, companyId: number): Promise<string> {
  const row = await conn
    .selectFrom('companies')
    .select('time_zone')
    .where('id', '=', companyId)
    .executeTakeFirst();
  return row?.time_zone ?? 'UTC';
}

/** Records that calls of an hour (or, with -1, every day) must be summed again. */
export async function markChanged(conn: Conn, companyId: number, hour: number): Promise<void> {
  await conn.insertInto('report_call_changes').values({ company_id: companyId, hour }).execute();
}

/** Whether the company has logged changes not applied yet. */
export async function hasChanges(conn: Conn, companyId: number): Promise<boolean> {
  const row = await conn
    .selectFrom('report_call_changes')
    .select('id')
    .where('company_id', '=', companyId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Takes the company's logged changes: deletes them and answers their distinct hours, exactly once. On
 * PostgreSQL one DELETE … RETURNING does both, so a change row committed meanwhile is neither deleted nor
 * lost (it stays for the next refresh). SQLite runs the refresh transaction alone (one writer), so reading
 * then deleting inside it is just as exact.
 */
export async function takeChanges(tx: Conn, dialect: Dialect, companyId: number): Promise<number[]> {
  if (dialect === 'postgres') {
    const res = await sql<{ hour: number }>`
      WITH taken AS (DELETE FROM report_call_changes WHERE company_id = ${companyId} RETURNING hour)
      SELECT DISTINCT hour FROM taken`.execute(tx);
    return res.rows.map((r) => Number(r.hour));
  }
  const rows = await tx
    .selectFrom('report_call_changes')
    .select('hour')
    .distinct()
    .where('company_id', '=', companyId)
    .execute();
  if (rows.length) await tx.deleteFrom('report_call_changes').where('company_id', '=', companyId).execute();
  return rows.map((r) => Number(r.hour));
}

/** Marks days incomplete; answers those that were complete ('all': every day of the company). */
export async function forgetDays(conn: Conn, companyId: number, days: number[] | 'all'): Promise<number[]> {
  if (days === 'all') {
    await conn.deleteFrom('report_days').where('company_id', '=', companyId).execute();
    return [];
  }
  const out: number[] = [];
  for (let i = 0; i < days.length; i += DELETE_CHUNK) {
    const rows = await conn
      .deleteFrom('report_days')
      .where('company_id', '=', companyId)
      .where('day', 'in', days.slice(i, i + DELETE_CHUNK))
      .returning('day')
      .execute();
    out.push(...rows.map((r) => r.day));
  }
  return out;
}

/** Companies with logged changes. */
export async function companiesWithChanges(conn: Conn, limit: number): Promise<number[]> {
  const rows = await conn
    .selectFrom('report_call_changes')
    .select('company_id')
    .distinct()
    .limit(limit)
    .execute();
  return rows.map((r) => r.company_id);
}

/** Days of [first, last] whose rollups are complete in `zone`. */
export async function freshDays(
  conn: Conn,
  companyId: number,
  first: number,
  last: number,
  zone: string,
): Promise<Set<number>> {
  const rows = await conn
    .selectFrom('report_days')
    .select('day')
    .where('company_id', '=', companyId)
    .where('day', '>=', first)
    .where('day', '<=', last)
    .where('zone', '=', zone)
    .execute();
  return new Set(rows.map((r) => r.day));
}

/** The calls of [from, to), with what reports need of them. */
export function readCalls(conn: Conn, companyId: number, from: number, to: number): Promise<FacetCall[]> {
  return conn
    .selectFrom('calls')
    .select([
      'created_at',
      'status',
      'repeat',
      'duplicate',
      'converted',
      'rescued',
      'connected',
      'revenue',
      'payout',
      'charge_total',
      'total_duration',
      'dialed_call_duration',
      'affiliate_id',
      'target_id',
      'campaign_id',
      'number_id',
      'tags',
    ])
    .where('company_id', '=', companyId)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .execute();
}

/** Replaces the rollups of some days and marks them complete. Run inside the refresh transaction. */
export async function writeDays(
  tx: Conn,
  companyId: number,
  days: number[],
  zone: string,
  rows: (FacetRow & { day: number })[],
  now: number,
): Promise<void> {
  for (let i = 0; i < days.length; i += DELETE_CHUNK) {
    await tx
      .deleteFrom('report_rollups')
      .where('company_id', '=', companyId)
      .where('day', 'in', days.slice(i, i + DELETE_CHUNK))
      .execute();
  }
  const values = rows.map((r) => ({
    company_id: companyId,
    facet: r.facet,
    day: r.day,
    key: r.key,
    sub: r.sub,
    ...r.sums,
  }));
  for (let i = 0; i < values.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('report_rollups')
      .values(values.slice(i, i + INSERT_CHUNK))
      .execute();
  }
  for (let i = 0; i < days.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('report_days')
      .values(
        days
          .slice(i, i + INSERT_CHUNK)
          .map((day) => ({ company_id: companyId, day, zone, computed_at: now })),
      )
      .onConflict((oc) => oc.columns(['company_id', 'day']).doUpdateSet({ zone, computed_at: now }))
      .execute();
  }
}

/** One facet's rollups summed over days [first, last], optionally of one key (a tag's values). */
export async function sumRollups(
  conn: Conn,
  companyId: number,
  facet: RollupFacet,
  first: number,
  last: number,
  key?: string,
): Promise<FacetRow[]> {
  // CAST: PostgreSQL sums bigint into numeric, which the driver hands over as a string.
  const sums = SUM_FIELDS.map((f) => sql<number>`CAST(SUM(${sql.ref(f)}) AS BIGINT)`.as(f));
  let q = conn
    .selectFrom('report_rollups')
    .select(['key', 'sub', ...sums])
    .where('company_id', '=', companyId)
    .where('facet', '=', facet)
    .where('day', '>=', first)
    .where('day', '<=', last);
  if (key !== undefined) q = q.where('key', '=', key);
  const rows = await q.groupBy(['key', 'sub']).execute();
  return rows.map((r) => {
    const s = emptySums();
    for (const f of SUM_FIELDS) s[f] = Number((r as Record<string, unknown>)[f] ?? 0);
    return { facet, key: r.key, sub: r.sub, sums: s };
  });
}

/** Display names of the objects behind object facets' keys (deleted objects included). */
export async function facetNames(
  conn: Conn,
  companyId: number,
  facet: 'publisher' | 'buyer' | 'campaign' | 'number',
  ids: number[],
): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (ids.length === 0) return out;
  const put = (id: number, ...names: (string | null)[]) =>
    out.set(id, names.find((n) => n !== null && n.trim() !== '') ?? String(id));
  if (facet === 'publisher') {
    const rows = await conn
      .selectFrom('affiliates')
      .select(['id', 'afid', 'first_name', 'last_name', 'company_name'])
      .where('company_id', '=', companyId)
      .where('id', 'in', ids)
      .execute();
    for (const r of rows) {
      const person = [r.first_name, r.last_name].filter(Boolean).join(' ');
      put(r.id, person, r.company_name, r.afid);
    }
  } else if (facet === 'buyer') {
    const rows = await conn
      .selectFrom('targets')
      .select(['id', 'name', 'number'])
      .where('company_id', '=', companyId)
      .where('id', 'in', ids)
      .execute();
    for (const r of rows) put(r.id, r.name, r.number);
  } else if (facet === 'campaign') {
    const rows = await conn
      .selectFrom('campaigns')
      .select(['id', 'name', 'cid'])
      .where('company_id', '=', companyId)
      .where('id', 'in', ids)
      .execute();
    for (const r of rows) put(r.id, r.name, r.cid);
  } else {
    const rows = await conn
      .selectFrom('numbers')
      .select(['id', 'number'])
      .where('company_id', '=', companyId)
      .where('id', 'in', ids)
      .execute();
    for (const r of rows) put(r.id, r.number);
  }
  return out;
}
