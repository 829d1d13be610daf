import type { DayNumber } from './report-query.js';

/**
 * Report rollups over blocks of days (docs/reports.md "Speed"). A block of level L is 2^L consecutive
 * local days whose first day's ordinal (days since 1970-01-01 of the local date) is a multiple of 2^L;
 * level 0 is one day. Any range of days is the disjoint union of at most two blocks per level (the
 * canonical dyadic cover), so a 30-day report reads ≤ 8 rollups per facet value instead of 30, and a
 * two-year one ≤ 18 instead of 730. A block is summed from its two halves, so keeping one costs two
 * child reads, and a change to a day forgets only the ≤ MAX_LEVEL blocks holding it.
 */

/** 512 days: enough for the longest report range (two years) to need few blocks. */
export const MAX_LEVEL = 9;

/** One rollup unit: `day` is its first local day (yyyymmdd), `level` its size, 2^level days. */
export interface Span {
  level: number;
  day: DayNumber;
}

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a local date (calendar arithmetic only: no zone is involved). */
export function ordinalOf(day: DayNumber): number {
  return Date.UTC(Math.floor(day / 10_000), (Math.floor(day / 100) % 100) - 1, day % 100) / MS_PER_DAY;
}

export function dayOfOrdinal(ordinal: number): DayNumber {
  const d = new Date(ordinal * MS_PER_DAY);
  return d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/**
 * The fewest aligned blocks covering days [first, last], in date order; days from `openFrom` on (today,
 * still being written to) are only ever level 0, so a block never holds a day whose calls change all
 * the time and is not summed again on every report.
 */
export function coverDays(first: DayNumber, last: DayNumber, openFrom?: DayNumber): Span[] {
  const out: Span[] = [];
  const end = ordinalOf(last);
  const blockEnd = openFrom === undefined ? end : Math.min(end, ordinalOf(openFrom) - 1);
  let a = ordinalOf(first);
  while (a <= end) {
    let level = 0;
    while (level < MAX_LEVEL && a % 2 ** (level + 1) === 0 && a + 2 ** (level + 1) - 1 <= blockEnd) {
      level++;
    }
    out.push({ level, day: dayOfOrdinal(a) });
    a += 2 ** level;
  }
  return out;
}

/** The blocks (level ≥ 1) that hold a day: what a change to the day makes stale. */
export function blocksHolding(day: DayNumber): Span[] {
  const o = ordinalOf(day);
  const out: Span[] = [];
  for (let level = 1; level <= MAX_LEVEL; level++) {
    const size = 2 ** level;
    out.push({ level, day: dayOfOrdinal(o - (((o % size) + size) % size)) });
  }
  return out;
}

/** The two halves a block is summed from. */
export function halvesOf(block: Span): [Span, Span] {
  const o = ordinalOf(block.day);
  const half = 2 ** (block.level - 1);
  return [
    { level: block.level - 1, day: block.day },
    { level: block.level - 1, day: dayOfOrdinal(o + half) },
  ];
}

/** Every block (level ≥ 1) a span needs summed before it, itself included, smallest first. */
export function blocksBeneath(span: Span): Span[] {
  if (span.level === 0) return [];
  const out: Span[] = [];
  const visit = (s: Span) => {
    if (s.level === 0) return;
    for (const h of halvesOf(s)) visit(h);
    out.push(s);
  };
  visit(span);
  return out.sort((a, b) => a.level - b.level || a.day - b.day);
}

export const spanKey = (s: Span) => `${s.level}:${s.day}`;
