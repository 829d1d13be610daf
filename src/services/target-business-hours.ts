import { type FieldErrors, ValidationFailed } from '../domain/errors.js';
import type { Conn } from '../store/db.js';

export { type BusinessHour, hoursOf } from '../store/business-hours.js';

/** One entry of `business_hours_attributes` (Rails nested attributes). */
export interface BusinessHourInput {
  id?: number;
  day_of_week: number;
  work_day?: boolean;
  time_open?: number;
  time_close?: number;
  invert?: boolean;
  /** The seed's parameter table calls it `inverted`; its JSON shows `invert`. Both are accepted. */
  inverted?: boolean;
  _destroy?: boolean;
}

/** Open all day, every day: what a new target gets (the seed's example). */
const OPEN_ALL_DAY = { work_day: 1, time_open: 0, time_close: 2400, invert: 0 };

const FIELD = 'business_hours_attributes';

/** Adds messages under a field, keeping earlier ones. */
export function addError(errors: FieldErrors, field: string, ...messages: string[]): void {
  errors[field] = [...(errors[field] ?? []), ...messages];
}

/** A 24-hour HHMM time: 0 to 2400 with minutes below 60. */
export function isHhmm(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 2400 && n % 100 < 60;
}

/** Checks that need no database: times, the invert/inverted pair, one entry per day. */
export function checkHourInputs(items: BusinessHourInput[], errors: FieldErrors): void {
  const days = new Set<number>();
  items.forEach((item, i) => {
    const add = (field: string, msg: string) => addError(errors, `${FIELD}.${i}.${field}`, msg);
    for (const f of ['time_open', 'time_close'] as const) {
      const v = item[f];
      if (v !== undefined && !isHhmm(v)) add(f, 'must be a 24 hour HHMM time between 0 and 2400');
    }
    if (item.invert !== undefined && item.inverted !== undefined && item.invert !== item.inverted) {
      add('inverted', 'contradicts invert');
    }
    if (days.has(item.day_of_week)) add('day_of_week', 'is given more than once');
    days.add(item.day_of_week);
  });
}

export async function createDefaultHours(conn: Conn, targetId: number, now: number): Promise<void> {
  const rows = [0, 1, 2, 3, 4, 5, 6].map((day) => ({
    target_id: targetId,
    day_of_week: day,
    ...OPEN_ALL_DAY,
    created_at: now,
    updated_at: now,
  }));
  await conn.insertInto('business_hours').values(rows).execute();
}

type Step =
  | { kind: 'update'; id: number; values: typeof OPEN_ALL_DAY }
  | { kind: 'delete'; id: number }
  | { kind: 'replace'; day: number; values: typeof OPEN_ALL_DAY | null };

/**
 * Applies nested business hours: an entry with an id updates that row (which must be this target's and
 * of the same day); one without replaces the row of its day; `_destroy` removes it, and a day
 * without a row is open all day (the default). Everything is checked before the first write.
 */
export async function applyHours(
  conn: Conn,
  targetId: number,
  items: BusinessHourInput[],
  now: number,
): Promise<void> {
  const existing = await conn
    .selectFrom('business_hours')
    .selectAll()
    .where('target_id', '=', targetId)
    .execute();
  const errors: FieldErrors = {};
  const steps = items.map((item, i): Step | undefined => {
    const add = (field: string, msg: string) => addError(errors, `${FIELD}.${i}.${field}`, msg);
    const row = item.id === undefined ? undefined : existing.find((r) => r.id === item.id);
    if (item.id !== undefined && !row)
      return void add('id', `${item.id} is not a business hour of this target`);
    if (row && row.day_of_week !== item.day_of_week) {
      return void add('day_of_week', `must stay ${row.day_of_week} for business hour ${row.id}`);
    }
    if (item._destroy)
      return row ? { kind: 'delete', id: row.id } : { kind: 'replace', day: item.day_of_week, values: null };
    // time_open after time_close is allowed: src/domain/business-hours.ts reads it as wrapping past midnight.
    const values = merge(row ?? OPEN_ALL_DAY, item);
    return row ? { kind: 'update', id: row.id, values } : { kind: 'replace', day: item.day_of_week, values };
  });
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  for (const step of steps as Step[]) await write(conn, targetId, step, now);
}

function merge(base: typeof OPEN_ALL_DAY, item: BusinessHourInput): typeof OPEN_ALL_DAY {
  const flag = (b: boolean | undefined, fallback: number) => (b === undefined ? fallback : b ? 1 : 0);
  return {
    work_day: flag(item.work_day, base.work_day),
    time_open: item.time_open ?? base.time_open,
    time_close: item.time_close ?? base.time_close,
    invert: flag(item.invert ?? item.inverted, base.invert),
  };
}

async function write(conn: Conn, targetId: number, step: Step, now: number): Promise<void> {
  if (step.kind === 'update') {
    await conn
      .updateTable('business_hours')
      .set({ ...step.values, updated_at: now })
      .where('id', '=', step.id)
      .execute();
    return;
  }
  if (step.kind === 'delete') {
    await conn.deleteFrom('business_hours').where('id', '=', step.id).execute();
    return;
  }
  await conn
    .deleteFrom('business_hours')
    .where('target_id', '=', targetId)
    .where('day_of_week', '=', step.day)
    .execute();
  if (step.values) {
    await conn
      .insertInto('business_hours')
      .values({
        target_id: targetId,
        day_of_week: step.day,
        ...step.values,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
}
