import { sql } from 'kysely';
import { blocksHolding, halvesOf, MAX_LEVEL, type Span, spanKey } from '../domain/report-blocks.js';
import { type FacetCall, type FacetRow, ROLLUP_FACETS, type RollupFacet } from '../domain/report-facets.js';
import { emptySums, SUM_FIELDS } from '../domain/report-metrics.js';
import type { Conn } from './db.js';
import type { Dialect } from './migrations/kit.js';

/** SQL of the report rollups (docs/reports.md); the service decides when to call what. */

// SQLite binds at most 32 766 parameters per statement; PostgreSQL 65 535.
const INSERT_CHUNK = 500;
const DELETE_CHUNK = 5_000;
const LEVELS = Array.from({ length: MAX_LEVEL + 1 }, (_, i) => i);

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

/**
 * Marks days incomplete, and the blocks holding them; answers the days that were complete ('all': every
 * span of the company).
 */
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
      .where('level', '=', 0)
      .where('day', 'in', days.slice(i, i + DELETE_CHUNK))
      .returning('day')
      .execute();
    out.push(...rows.map((r) => r.day));
  }
  const byLevel = new Map<number, Set<number>>();
  for (const d of days) {
    for (const b of blocksHolding(d)) {
      const set = byLevel.get(b.level) ?? new Set<number>();
      set.add(b.day);
      byLevel.set(b.level, set);
    }
  }
  for (const [level, starts] of byLevel) {
    const list = [...starts];
    for (let i = 0; i < list.length; i += DELETE_CHUNK) {
      await conn
        .deleteFrom('report_days')
        .where('company_id', '=', companyId)
        .where('level', '=', level)
        .where('day', 'in', list.slice(i, i + DELETE_CHUNK))
        .execute();
    }
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
    .where('level', '=', 0)
    .where('day', '>=', first)
    .where('day', '<=', last)
    .where('zone', '=', zone)
    .execute();
  return new Set(rows.map((r) => r.day));
}

/**
 * Spans (days and blocks) starting in [first, last] that are complete in `zone` (`spanKey`s), and, in
 * the same read, whether the company has logged changes not applied yet: a report's whole check.
 */
export async function freshSpans(
  conn: Conn,
  companyId: number,
  first: number,
  last: number,
  zone: string,
): Promise<{ fresh: Set<string>; changed: boolean }> {
  const changed = sql<number>`CASE WHEN EXISTS (SELECT 1 FROM report_call_changes WHERE company_id = ${companyId}) THEN 1 ELSE 0 END`;
  const rows = await conn
    .selectFrom('report_days')
    .select(['level', 'day', changed.as('changed')])
    .where('company_id', '=', companyId)
    // Every level named: one index range (company, level, day) per level, not the company's every span.
    .where('level', 'in', LEVELS)
    .where('day', '>=', first)
    .where('day', '<=', last)
    .where('zone', '=', zone)
    .execute();
  return {
    fresh: new Set(rows.map((r) => spanKey(r))),
    // No complete span at all: the caller refreshes anyway.
    changed: rows.length === 0 || Number(rows[0].changed) === 1,
  };
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
      .where('level', '=', 0)
      .where('day', 'in', days.slice(i, i + DELETE_CHUNK))
      .execute();
  }
  const values = rows.map((r) => ({
    company_id: companyId,
    facet: r.facet,
    level: 0,
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
          .map((day) => ({ company_id: companyId, level: 0, day, zone, computed_at: now })),
      )
      .onConflict((oc) => oc.columns(['company_id', 'level', 'day']).doUpdateSet({ zone, computed_at: now }))
      .execute();
  }
}

/**
 * Sums a block from its two halves (complete, in the same zone: the caller checked) in one
 * INSERT … SELECT, and marks it complete. Run inside the refresh transaction.
 */
export async function writeBlock(
  tx: Conn,
  companyId: number,
  block: Span,
  zone: string,
  now: number,
): Promise<void> {
  const [a, b] = halvesOf(block);
  await tx
    .deleteFrom('report_rollups')
    .where('company_id', '=', companyId)
    .where('level', '=', block.level)
    .where('day', '=', block.day)
    .execute();
  const sums = SUM_FIELDS.map((f) => sql`SUM(${sql.ref(f)})`);
  // Every facet named: the key's columns in order, so each (facet, day) is one index range.
  await sql`
    INSERT INTO report_rollups (company_id, facet, level, day, key, sub, ${sql.join(SUM_FIELDS.map((f) => sql.ref(f)))})
    SELECT company_id, facet, ${sql.lit(block.level)}, ${sql.lit(block.day)}, key, sub, ${sql.join(sums)}
    FROM report_rollups
    WHERE company_id = ${companyId} AND facet IN (${sql.join(ROLLUP_FACETS)})
      AND level = ${a.level} AND day IN (${a.day}, ${b.day})
    GROUP BY company_id, facet, key, sub`.execute(tx);
  await tx
    .insertInto('report_days')
    .values({ company_id: companyId, level: block.level, day: block.day, zone, computed_at: now })
    .onConflict((oc) => oc.columns(['company_id', 'level', 'day']).doUpdateSet({ zone, computed_at: now }))
    .execute();
}

/** One facet's rollups summed over spans (days and blocks), optionally of one key (a tag's values). */
export async function sumRollups(
  conn: Conn,
  companyId: number,
  facet: RollupFacet,
  spans: readonly Span[],
  key?: string,
): Promise<FacetRow[]> {
  if (!spans.length) return [];
  // CAST: PostgreSQL sums bigint into numeric, which the driver hands over as a string.
  const sums = SUM_FIELDS.map((f) => sql<number>`CAST(SUM(${sql.ref(f)}) AS BIGINT)`.as(f));
  const byLevel = new Map<number, number[]>();
  for (const s of spans) byLevel.set(s.level, [...(byLevel.get(s.level) ?? []), s.day]);
  let q = conn
    .selectFrom('report_rollups')
    .select(['key', 'sub', ...sums])
    .where('company_id', '=', companyId)
    .where('facet', '=', facet)
    // One equality per level on the key's next columns: an index range per (level, day).
    .where((eb) =>
      eb.or([...byLevel].map(([level, days]) => eb.and([eb('level', '=', level), eb('day', 'in', days)]))),
    );
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
