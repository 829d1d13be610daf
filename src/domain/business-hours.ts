import { IANAZone } from 'luxon';

/**
 * One business-hours row of a target, as the seed defines it (day_of_week, work_day, time_open,
 * time_close, invert). Times are HHMM integers in the target's own time zone; 2400 is end of day.
 */
export interface BusinessHour {
  dayOfWeek: number; // 0 = Sunday … 6 = Saturday
  workDay: boolean;
  timeOpen: number; // HHMM
  timeClose: number; // HHMM, 2400 = end of day
  invert: boolean;
}

/** Wall-clock facts that business hours depend on, in one zone at one instant. */
export interface LocalTime {
  weekday: number; // 0 = Sunday
  hhmm: number; // 0 … 2359
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MINUTES_PER_DAY = 1_440;
const MAX_CACHED_ZONES = 1_000;
/** 1970-01-01 was a Thursday. */
const EPOCH_WEEKDAY = 4;

/** A stretch of time during which a zone's UTC offset is known not to change. */
interface StableSpan {
  start: number;
  end: number; // exclusive
  offsetMinutes: number;
  /** The last local minute asked for in this span and its answer, shared by every target. */
  lastMinute?: number;
  lastTime?: Readonly<LocalTime>;
}

/**
 * Asking the zone database for an offset costs microseconds (Intl formatting), and routing asks
 * for thousands of targets per call. Offsets change at most a few times a year, so each zone
 * remembers the span (at most one UTC day) around the instant it was last asked about, bounded
 * by any offset change found inside that day.
 */
const spans = new Map<string, StableSpan>();

function spanAt(zone: string, ms: number): StableSpan {
  const span = spans.get(zone);
  if (span !== undefined && ms >= span.start && ms < span.end) return span;
  const tz = IANAZone.create(zone);
  // An unknown zone name is a data error, not a reason to fail the call: evaluate in UTC.
  const found = tz.isValid ? stableSpanAround(tz, ms) : { start: -Infinity, end: Infinity, offsetMinutes: 0 };
  remember(zone, found);
  return found;
}

/**
 * The UTC day around `ms`, cut at the offset change if that day has one. Zones change offset at
 * most twice a year, never twice in one day, so one change is all a day can hold and it is found
 * by bisection (to the millisecond, as the zone database reports whole seconds).
 */
function stableSpanAround(tz: IANAZone, ms: number): StableSpan {
  const start = Math.floor(ms / DAY_MS) * DAY_MS;
  const end = start + DAY_MS;
  const before = tz.offset(start);
  const after = tz.offset(end - 1);
  if (before === after) return { start, end, offsetMinutes: before };
  let lo = start; // offset(lo) === before
  let hi = end - 1; // offset(hi) === after
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (tz.offset(mid) === before) lo = mid;
    else hi = mid;
  }
  return ms < hi ? { start, end: hi, offsetMinutes: before } : { start: hi, end, offsetMinutes: after };
}

function remember(zone: string, span: StableSpan): void {
  // Zone names come from stored data; bound the cache in case that data is garbage.
  if (spans.size >= MAX_CACHED_ZONES && !spans.has(zone)) spans.clear();
  spans.set(zone, span);
}

/** Weekday and HHMM on the wall clock of `ianaZone` at `nowMs`. Unknown zones read as UTC. */
export function localTime(ianaZone: string, nowMs: number): Readonly<LocalTime> {
  const span = spanAt(ianaZone, nowMs);
  const localMinute = Math.floor((nowMs + span.offsetMinutes * MINUTE_MS) / MINUTE_MS);
  if (span.lastMinute === localMinute && span.lastTime !== undefined) return span.lastTime;
  const day = Math.floor(localMinute / MINUTES_PER_DAY);
  const minuteOfDay = localMinute - day * MINUTES_PER_DAY;
  const weekday = (((day + EPOCH_WEEKDAY) % 7) + 7) % 7;
  const time = Object.freeze({ weekday, hhmm: Math.floor(minuteOfDay / 60) * 100 + (minuteOfDay % 60) });
  span.lastMinute = localMinute;
  span.lastTime = time;
  return time;
}

/**
 * Whether one row, for the current day, says "open" at `hhmm`.
 *
 * Reading of the seed ("Open hours become closed! Closed become open! Great if you have overnight
 * shifts"): the row's window is [time_open, time_close) on that day; `invert` swaps open and
 * closed *within that same day*. So an overnight shift 22:00 → 06:00 is written, on every day it
 * touches, as time_open 0600, time_close 2200, invert true: open 00:00–06:00 and 22:00–24:00.
 * A window whose close is earlier than its open (e.g. 2200..0600, not inverted) wraps around
 * midnight the same way, which makes it equal to the inverted form. open == close is an empty
 * window (closed all day; inverted: open all day). work_day false closes the whole day, even when
 * inverted.
 */
function rowSaysOpen(row: BusinessHour, hhmm: number): boolean {
  if (!row.workDay) return false;
  const inside =
    row.timeOpen <= row.timeClose
      ? hhmm >= row.timeOpen && hhmm < row.timeClose
      : hhmm >= row.timeOpen || hhmm < row.timeClose;
  return row.invert ? !inside : inside;
}

/**
 * Open at the given local weekday/HHMM? A day without any row is open (targets are open 24/7 by
 * default); when a day has several rows it is open if any of them says open.
 */
export function isOpenAt(hours: readonly BusinessHour[], at: LocalTime): boolean {
  let dayHasRow = false;
  for (const row of hours) {
    if (row.dayOfWeek !== at.weekday) continue;
    if (rowSaysOpen(row, at.hhmm)) return true;
    dayHasRow = true;
  }
  return !dayHasRow;
}

/** Whether a target with these hours, in `ianaZone`, takes calls at instant `nowMs`. */
export function isOpen(hours: readonly BusinessHour[], ianaZone: string, nowMs: number): boolean {
  if (hours.length === 0) return true;
  return isOpenAt(hours, localTime(ianaZone, nowMs));
}
