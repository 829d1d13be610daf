import type { Selectable } from 'kysely';
import type { Conn } from './db.js';
import type { BusinessHoursTable } from './schema.js';

export type BusinessHour = Selectable<BusinessHoursTable>;

/** Business hours of many targets at once, by day. */
export async function hoursOf(conn: Conn, targetIds: number[]): Promise<Map<number, BusinessHour[]>> {
  const out = new Map<number, BusinessHour[]>();
  if (targetIds.length === 0) return out;
  const rows = await conn
    .selectFrom('business_hours')
    .selectAll()
    .where('target_id', 'in', targetIds)
    .orderBy('day_of_week')
    .orderBy('id')
    .execute();
  for (const r of rows) out.set(r.target_id, [...(out.get(r.target_id) ?? []), r]);
  return out;
}
