import { describe, expect, it } from 'vitest';
import { CAP_TYPES, capReached, capWindowStart } from '../../src/domain/caps.js';

const at = (iso: string) => Date.parse(iso);
const NY = 'America/New_York';

describe('capWindowStart', () => {
  it('lists the cap types in the seed order', () => {
    expect(CAP_TYPES).toEqual(['Daily', 'Hard', 'Hourly', 'Monthly']);
  });

  it('starts periodic caps at the UTC hour, day and month in UTC', () => {
    const now = at('2025-01-06T15:42:10.500Z');
    expect(capWindowStart('Hourly', now, 'Etc/UTC', null)).toBe(at('2025-01-06T15:00:00Z'));
    expect(capWindowStart('Daily', now, 'Etc/UTC', null)).toBe(at('2025-01-06T00:00:00Z'));
    expect(capWindowStart('Monthly', now, 'Etc/UTC', null)).toBe(at('2025-01-01T00:00:00Z'));
  });

  it('uses the local day and month of a non-UTC zone', () => {
    // 03:00Z on Jan 1st is still Dec 31st, 22:00, in New York (UTC-5).
    const now = at('2025-01-01T03:00:00Z');
    expect(capWindowStart('Daily', now, NY, null)).toBe(at('2024-12-31T05:00:00Z'));
    expect(capWindowStart('Monthly', now, NY, null)).toBe(at('2024-12-01T05:00:00Z'));
    expect(capWindowStart('Daily', now, 'Etc/UTC', null)).toBe(at('2025-01-01T00:00:00Z'));
  });

  it('starts hours on the half hour where the zone offset has minutes', () => {
    // Kolkata is UTC+5:30, so its hours begin at :30 UTC.
    expect(capWindowStart('Hourly', at('2025-01-06T15:10:00Z'), 'Asia/Kolkata', null)).toBe(
      at('2025-01-06T14:30:00Z'),
    );
  });

  it('keeps a 23-hour DST day as one day (spring forward)', () => {
    // 2025-03-09: New York skips 02:00-03:00; the day still began at 00:00 EST = 05:00Z.
    const evening = at('2025-03-09T23:00:00Z'); // 19:00 EDT
    expect(capWindowStart('Daily', evening, NY, null)).toBe(at('2025-03-09T05:00:00Z'));
    // 03:30 EDT is the first hour after the gap: it starts at 03:00 EDT = 07:00Z.
    expect(capWindowStart('Hourly', at('2025-03-09T07:30:00Z'), NY, null)).toBe(at('2025-03-09T07:00:00Z'));
  });

  it('tells the two 01:00 hours of a fall-back night apart', () => {
    // 2025-11-02 01:30 happens twice in New York: 05:30Z (EDT) and 06:30Z (EST).
    expect(capWindowStart('Hourly', at('2025-11-02T05:30:00Z'), NY, null)).toBe(at('2025-11-02T05:00:00Z'));
    expect(capWindowStart('Hourly', at('2025-11-02T06:30:00Z'), NY, null)).toBe(at('2025-11-02T06:00:00Z'));
    // ...and that 25-hour day began at 00:00 EDT = 04:00Z.
    expect(capWindowStart('Daily', at('2025-11-02T20:00:00Z'), NY, null)).toBe(at('2025-11-02T04:00:00Z'));
  });

  it('starts the day at 01:00 where DST skips midnight', () => {
    // Santiago springs forward at midnight on 2024-09-08; the first local instant is 01:00 -03 = 04:00Z.
    expect(capWindowStart('Daily', at('2024-09-08T12:00:00Z'), 'America/Santiago', null)).toBe(
      at('2024-09-08T04:00:00Z'),
    );
  });

  it('counts a hard cap from its last reset, or from the beginning', () => {
    const now = at('2025-06-01T12:00:00Z');
    expect(capWindowStart('Hard', now, NY, null)).toBe(0);
    // Calls in the very millisecond of the reset were cleared by it.
    expect(capWindowStart('Hard', now, NY, at('2025-05-20T08:00:00Z'))).toBe(at('2025-05-20T08:00:00Z') + 1);
  });

  it('refuses an unknown zone', () => {
    expect(() => capWindowStart('Daily', 0, 'Mars/Olympus', null)).toThrow(/time zone/);
  });
});

describe('capReached', () => {
  it('is never reached without a cap, and reached once filled meets it', () => {
    expect(capReached(null, 1_000)).toBe(false);
    expect(capReached(3, 2)).toBe(false);
    expect(capReached(3, 3)).toBe(true);
    expect(capReached(0, 0)).toBe(true);
  });
});
