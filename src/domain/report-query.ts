import { DateTime } from 'luxon';
import { type FieldErrors, ValidationFailed } from './errors.js';

/** The report facets the seed lists, in its order. */
export const FACETS = ['publisher', 'buyer', 'campaign', 'number', 'daily', 'tag_value'] as const;
export type Facet = (typeof FACETS)[number];
export const DOMAINS = ['calls'] as const;

/**
 * Tags reported without being created first ("a few system Tags"): where the caller is, as the engine
 * tags it (`geo`) or a ping/contact supplies it.
 */
export const SYSTEM_TAG_KEYS: readonly string[] = ['geo', 'caller_state', 'caller_city', 'caller_zip'];

export const DEFAULT_PER_PAGE = 25;
export const MAX_PER_PAGE = 10_000;

/** The query string as it arrives. */
export interface ReportParams {
  domain?: string;
  facet?: string;
  created_at_start?: string;
  created_at_end?: string;
  page?: string | number;
  per_page?: string | number;
  tag_value_key?: string;
}

/** The parameters checked: [start, end) in epoch ms. */
export interface ReportQuery {
  facet: Facet;
  start: number;
  end: number;
  page: number;
  perPage: number;
  /** Set with facet=tag_value: report that tag's values instead of the tag keys. */
  tagValueKey?: string;
}

const BARE_DATE = /^\s*(\d{4})-(\d\d)-(\d\d)\s*$/;

/**
 * Checks every parameter at once so a 400 names all the bad ones. A bare date is midnight in the company's
 * time zone (the `daily` buckets' zone), so `2024-10-25..2024-10-28` is three whole report days; a time
 * with an offset is that instant. `parseTime` reads RFC 3339 (the Calls API's reader).
 */
export function parseReportParams(
  p: ReportParams,
  zone: string,
  parseTime: (raw: string) => number | undefined,
): ReportQuery {
  const errors: FieldErrors = {};
  const fail = (field: string, message: string) => {
    errors[field] = [message];
    return undefined;
  };
  const blank = (v: unknown) => v === undefined || v === null || String(v).trim() === '';

  if (blank(p.domain)) fail('domain', "can't be blank");
  else if (!(DOMAINS as readonly string[]).includes(String(p.domain)))
    fail('domain', `"${p.domain}" is not a report domain; the only domain is calls`);

  let facet: Facet | undefined;
  if (blank(p.facet)) fail('facet', "can't be blank");
  else if (!(FACETS as readonly string[]).includes(String(p.facet)))
    fail('facet', `"${p.facet}" is not a facet; use one of ${FACETS.join(', ')}`);
  else facet = p.facet as Facet;

  const time = (field: 'created_at_start' | 'created_at_end') => {
    const raw = p[field];
    if (blank(raw)) return fail(field, "can't be blank");
    const ms = parseReportTime(String(raw), zone, parseTime);
    return ms ?? fail(field, 'is not a date (YYYY-MM-DD) or an RFC 3339 time (YYYY-MM-DDTHH:MM:SS+HH:MM)');
  };
  const start = time('created_at_start');
  const end = time('created_at_end');
  if (start !== undefined && end !== undefined) {
    if (start >= end) fail('created_at_start', 'must be before created_at_end');
    else if (end >= DateTime.fromMillis(start, { zone }).plus({ years: 2 }).toMillis())
      fail('created_at_end', 'must be less than 2 years after created_at_start');
  }

  const page = positiveInt(p.page, 1, 1_000_000) ?? fail('page', 'must be a whole number from 1');
  const perPage =
    positiveInt(p.per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE) ??
    fail('per_page', `must be a whole number from 1 to ${MAX_PER_PAGE}`);

  let tagValueKey: string | undefined;
  if (!blank(p.tag_value_key)) {
    if (facet !== undefined && facet !== 'tag_value')
      fail('tag_value_key', 'is only used with facet tag_value');
    else tagValueKey = String(p.tag_value_key).trim();
  }

  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  return { facet: facet!, start: start!, end: end!, page: page!, perPage: perPage!, tagValueKey };
}

function parseReportTime(
  raw: string,
  zone: string,
  parseTime: (raw: string) => number | undefined,
): number | undefined {
  const m = BARE_DATE.exec(raw);
  if (!m) return parseTime(raw);
  const d = DateTime.fromObject({ year: +m[1], month: +m[2], day: +m[3] }, { zone });
  return d.isValid ? d.toMillis() : undefined;
}

function positiveInt(raw: string | number | undefined, fallback: number, max: number): number | undefined {
  if (raw === undefined || String(raw).trim() === '') return fallback;
  const s = String(raw).trim();
  if (!/^\d{1,9}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= max ? n : undefined;
}

/** A local calendar day as an integer yyyymmdd: sorts and ranges like the dates it stands for. */
export type DayNumber = number;

export function dayOf(ms: number, zone: string): DayNumber {
  const d = DateTime.fromMillis(ms, { zone });
  return d.year * 10_000 + d.month * 100 + d.day;
}

export function dayStart(day: DayNumber, zone: string): number {
  return DateTime.fromObject(
    { year: Math.floor(day / 10_000), month: Math.floor(day / 100) % 100, day: day % 100 },
    { zone },
  ).toMillis();
}

export function nextDay(day: DayNumber, zone: string): DayNumber {
  return dayOf(DateTime.fromMillis(dayStart(day, zone), { zone }).plus({ days: 1 }).toMillis(), zone);
}

/** `2024-10-25` */
export function dayLabel(day: DayNumber): string {
  const s = String(day).padStart(8, '0');
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

export interface RangePlan {
  /** Whole local days inside the range, read from day rollups (inclusive bounds), or null. */
  days: { first: DayNumber; last: DayNumber } | null;
  /** Pieces of the range outside whole days, each within one local day, read from the calls: [from, to) ms. */
  edges: [number, number][];
}

/** Splits [start, end) into whole local days and the partial days at either end. */
export function planRange(start: number, end: number, zone: string): RangePlan {
  let first = dayOf(start, zone);
  if (dayStart(first, zone) < start) first = nextDay(first, zone);
  const firstStart = dayStart(first, zone);
  // The last whole day ends at or before `end`: walk back from the day holding `end`.
  const endDay = dayOf(end, zone);
  const endDayStart = dayStart(endDay, zone);
  if (firstStart >= endDayStart) {
    // No whole day inside, but the range may still cross one local midnight: each edge is one day's.
    const midnight = dayStart(nextDay(dayOf(start, zone), zone), zone);
    return {
      days: null,
      edges:
        midnight < end
          ? [
              [start, midnight],
              [midnight, end],
            ]
          : [[start, end]],
    };
  }
  // Whole days end where the day holding `end` begins (that day is partial, or excluded when `end` is midnight).
  const last = dayOf(DateTime.fromMillis(endDayStart, { zone }).minus({ days: 1 }).toMillis(), zone);
  const edges: [number, number][] = [];
  if (start < firstStart) edges.push([start, firstStart]);
  if (endDayStart < end) edges.push([endDayStart, end]);
  return { days: { first, last }, edges };
}

/** Local days an interval of time touches (a UTC hour spans two local days in :30 and :45 zones). */
export function daysTouched(from: number, to: number, zone: string): DayNumber[] {
  const a = dayOf(from, zone);
  const b = dayOf(to - 1, zone);
  return a === b ? [a] : [a, b];
}
