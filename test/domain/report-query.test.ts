import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../src/domain/errors.js';
import { TagIndex } from '../../src/domain/report-facets.js';
import {
  dayLabel,
  dayOf,
  dayStart,
  daysTouched,
  parseReportParams,
  planRange,
} from '../../src/domain/report-query.js';
import { parseRfc3339 } from '../../src/services/calls.js';

const NY = 'America/New_York';
const KOLKATA = 'Asia/Kolkata';

describe('report parameters', () => {
  const base = {
    domain: 'calls',
    facet: 'daily',
    created_at_start: '2024-10-25',
    created_at_end: '2024-10-28',
  };

  it('reads bare dates as midnight in the company zone, times as given', () => {
    const q = parseReportParams(base, NY, parseRfc3339);
    expect(q.start).toBe(Date.parse('2024-10-25T04:00:00Z'));
    expect(q.end).toBe(Date.parse('2024-10-28T04:00:00Z'));
    expect([q.page, q.perPage]).toEqual([1, 25]);
    const t = parseReportParams({ ...base, created_at_start: '2024-10-25T10:00:00+02:00' }, NY, parseRfc3339);
    expect(t.start).toBe(Date.parse('2024-10-25T08:00:00Z'));
  });

  it('refuses a range of 2 years or more (calendar years in the zone)', () => {
    expect(() =>
      parseReportParams(
        { ...base, created_at_start: '2022-02-28', created_at_end: '2024-02-28' },
        NY,
        parseRfc3339,
      ),
    ).toThrow(ValidationFailed);
    expect(
      parseReportParams(
        { ...base, created_at_start: '2022-02-28', created_at_end: '2024-02-27' },
        NY,
        parseRfc3339,
      ).end,
    ).toBeGreaterThan(0);
  });
});

describe('report days', () => {
  it('numbers local days yyyymmdd and finds their starts across DST', () => {
    expect(dayOf(Date.parse('2025-03-09T04:59:00Z'), NY)).toBe(20250308);
    expect(dayStart(20250310, NY) - dayStart(20250309, NY)).toBe(23 * 3_600_000);
    expect(dayLabel(20250309)).toBe('2025-03-09');
  });

  it('splits a range into whole days and partial edges, each edge inside one day', () => {
    const p = planRange(Date.parse('2025-03-07T15:30:00-05:00'), Date.parse('2025-03-10T06:00:00Z'), NY);
    expect(p.days).toEqual({ first: 20250308, last: 20250309 });
    expect(p.edges).toEqual([
      [Date.parse('2025-03-07T15:30:00-05:00'), dayStart(20250308, NY)],
      [dayStart(20250310, NY), Date.parse('2025-03-10T06:00:00Z')],
    ]);
    const aligned = planRange(dayStart(20250301, NY), dayStart(20250331, NY), NY);
    expect(aligned).toEqual({ days: { first: 20250301, last: 20250330 }, edges: [] });
    const short = planRange(Date.parse('2025-03-09T01:00:00Z'), Date.parse('2025-03-09T20:00:00Z'), NY);
    expect(short.days).toBeNull();
    expect(short.edges).toHaveLength(2);
    expect(short.edges[0][1]).toBe(dayStart(20250309, NY));
  });

  it('maps a UTC hour to the local days it touches (two in a :30 zone)', () => {
    const h = Date.parse('2025-03-09T18:00:00Z'); // 23:30 in Kolkata
    expect(daysTouched(h, h + 3_600_000, KOLKATA)).toEqual([20250309, 20250310]);
    expect(daysTouched(h, h + 3_600_000, 'UTC')).toEqual([20250309]);
  });
});

describe('tag indexing', () => {
  it('reports system tags always, created ones from their creation, re-indexed ones for every call', () => {
    const idx = new TagIndex(
      new Map<string, number | null>([
        ['utm_campaign', 1_000],
        ['old', null],
      ]),
    );
    expect(idx.covers('geo', 0)).toBe(true);
    expect(idx.covers('utm_campaign', 999)).toBe(false);
    expect(idx.covers('utm_campaign', 1_000)).toBe(true);
    expect(idx.covers('old', 0)).toBe(true);
    expect(idx.covers('other', 5_000)).toBe(false);
    expect(idx.isReported('utm_campaign')).toBe(true);
    expect(idx.isReported('other')).toBe(false);
  });
});
