import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type BusinessHour, isOpen, isOpenAt, localTime } from '../../src/domain/business-hours.js';

const at = (iso: string) => Date.parse(iso);

function row(
  dayOfWeek: number,
  timeOpen: number,
  timeClose: number,
  extra: Partial<BusinessHour> = {},
): BusinessHour {
  return { dayOfWeek, workDay: true, timeOpen, timeClose, invert: false, ...extra };
}

/** The same window on all seven days. */
function everyDay(timeOpen: number, timeClose: number, extra: Partial<BusinessHour> = {}): BusinessHour[] {
  return [0, 1, 2, 3, 4, 5, 6].map((d) => row(d, timeOpen, timeClose, extra));
}

describe('localTime', () => {
  it('reads weekday and HHMM on the zone wall clock', () => {
    // 2024-01-01 is a Monday; 03:15 UTC is still Sunday 22:15 in New York (UTC-5).
    expect(localTime('America/New_York', at('2024-01-01T03:15:00Z'))).toEqual({ weekday: 0, hhmm: 2215 });
    expect(localTime('Etc/UTC', at('2024-01-01T03:15:00Z'))).toEqual({ weekday: 1, hhmm: 315 });
    expect(localTime('Asia/Kolkata', at('2024-01-01T18:29:00Z'))).toEqual({ weekday: 1, hhmm: 2359 });
    expect(localTime('Asia/Kolkata', at('2024-01-01T18:30:00Z'))).toEqual({ weekday: 2, hhmm: 0 });
  });

  it('handles instants before 1970', () => {
    // 1969-12-31 was a Wednesday.
    expect(localTime('Etc/UTC', at('1969-12-31T23:59:00Z'))).toEqual({ weekday: 3, hhmm: 2359 });
  });

  it('follows a DST change inside an hour that straddles it (Newfoundland, UTC-3:30 → -2:30)', () => {
    // St. John's springs forward at 02:00 NST = 05:30 UTC, mid-hour in UTC.
    expect(localTime('America/St_Johns', at('2024-03-10T05:29:00Z')).hhmm).toBe(159);
    expect(localTime('America/St_Johns', at('2024-03-10T05:30:00Z')).hhmm).toBe(300);
    expect(localTime('America/St_Johns', at('2024-03-10T05:00:00Z')).hhmm).toBe(130);
    expect(localTime('America/St_Johns', at('2024-03-10T05:59:00Z')).hhmm).toBe(329);
  });

  it('is not fooled by a cached offset from an earlier hour', () => {
    expect(localTime('America/New_York', at('2024-03-10T06:30:00Z')).hhmm).toBe(130); // EST
    expect(localTime('America/New_York', at('2024-03-10T07:30:00Z')).hhmm).toBe(330); // EDT
    expect(localTime('America/New_York', at('2024-03-10T06:45:00Z')).hhmm).toBe(145); // back in EST
  });

  it('agrees with luxon minute by minute across DST changes, in either direction of time', () => {
    const cases = [
      ['America/St_Johns', '2024-03-10T00:00:00Z'],
      ['America/New_York', '2024-11-03T00:00:00Z'],
      ['Australia/Lord_Howe', '2024-04-06T12:00:00Z'], // 30-minute DST
      ['Europe/Berlin', '2024-03-31T00:00:00Z'],
    ] as const;
    for (const [zone, from] of cases) {
      const start = at(from);
      const instants = Array.from({ length: (2 * 24 * 60) / 7 }, (_, i) => start + i * 7 * 60_000);
      for (const ms of [...instants, ...instants.reverse()]) {
        const d = DateTime.fromMillis(ms, { zone });
        expect(localTime(zone, ms), `${zone} ${new Date(ms).toISOString()}`).toEqual({
          weekday: d.weekday % 7,
          hhmm: d.hour * 100 + d.minute,
        });
      }
    }
  });

  it('reads an unknown zone as UTC', () => {
    expect(localTime('Not/AZone', at('2024-01-01T03:15:00Z'))).toEqual({ weekday: 1, hhmm: 315 });
  });
});

describe('isOpen', () => {
  const weekdays9to5 = [1, 2, 3, 4, 5].map((d) => row(d, 900, 1700));

  it('is open around the clock without rows', () => {
    expect(isOpen([], 'America/New_York', at('2024-01-07T08:00:00Z'))).toBe(true);
  });

  it('is open on a day that has no row', () => {
    // Saturday has no row in weekdays9to5.
    expect(isOpen(weekdays9to5, 'Etc/UTC', at('2024-01-06T03:00:00Z'))).toBe(true);
  });

  it('opens at time_open and closes at time_close', () => {
    expect(isOpen(weekdays9to5, 'Etc/UTC', at('2024-01-08T08:59:00Z'))).toBe(false);
    expect(isOpen(weekdays9to5, 'Etc/UTC', at('2024-01-08T09:00:00Z'))).toBe(true);
    expect(isOpen(weekdays9to5, 'Etc/UTC', at('2024-01-08T16:59:00Z'))).toBe(true);
    expect(isOpen(weekdays9to5, 'Etc/UTC', at('2024-01-08T17:00:00Z'))).toBe(false);
  });

  it('treats 2400 as the end of the day', () => {
    expect(isOpen(everyDay(0, 2400), 'Etc/UTC', at('2024-01-08T23:59:00Z'))).toBe(true);
    expect(isOpen(everyDay(0, 2400), 'Etc/UTC', at('2024-01-08T00:00:00Z'))).toBe(true);
  });

  it("evaluates in the target's zone, not UTC", () => {
    // Monday 14:30 UTC = 09:30 EST: open in New York, while 14:30 in Tokyo is Monday 23:30.
    expect(isOpen(weekdays9to5, 'America/New_York', at('2024-01-08T14:30:00Z'))).toBe(true);
    expect(isOpen(weekdays9to5, 'Asia/Tokyo', at('2024-01-08T14:30:00Z'))).toBe(false);
    // Monday 13:30 UTC = 08:30 EST: closed in New York, though open by UTC.
    expect(isOpen(weekdays9to5, 'America/New_York', at('2024-01-08T13:30:00Z'))).toBe(false);
  });

  it('keeps local opening time across the spring DST change', () => {
    // Friday 8 March 2024 (EST, UTC-5) vs Monday 11 March 2024 (EDT, UTC-4): both open 09:00 local.
    expect(isOpen(weekdays9to5, 'America/New_York', at('2024-03-08T13:30:00Z'))).toBe(false);
    expect(isOpen(weekdays9to5, 'America/New_York', at('2024-03-08T14:00:00Z'))).toBe(true);
    expect(isOpen(weekdays9to5, 'America/New_York', at('2024-03-11T13:00:00Z'))).toBe(true);
    expect(isOpen(weekdays9to5, 'America/New_York', at('2024-03-11T12:59:00Z'))).toBe(false);
  });

  it('skips the missing hour on the night of the change', () => {
    // Sunday 10 March 2024: 01:00–03:00 local lasts one real hour, 06:00–07:00 UTC.
    const night = [row(0, 100, 300)];
    expect(isOpen(night, 'America/New_York', at('2024-03-10T05:59:00Z'))).toBe(false);
    expect(isOpen(night, 'America/New_York', at('2024-03-10T06:00:00Z'))).toBe(true);
    expect(isOpen(night, 'America/New_York', at('2024-03-10T06:59:00Z'))).toBe(true);
    expect(isOpen(night, 'America/New_York', at('2024-03-10T07:00:00Z'))).toBe(false);
  });

  it('keeps local closing time across the autumn DST change (Europe/Berlin)', () => {
    // Sunday 27 October 2024, Berlin leaves CEST (UTC+2) for CET (UTC+1).
    const sunday = [row(0, 900, 1700)];
    expect(isOpen(sunday, 'Europe/Berlin', at('2024-10-27T07:59:00Z'))).toBe(false);
    expect(isOpen(sunday, 'Europe/Berlin', at('2024-10-27T08:00:00Z'))).toBe(true);
    expect(isOpen(sunday, 'Europe/Berlin', at('2024-10-27T15:59:00Z'))).toBe(true);
    expect(isOpen(sunday, 'Europe/Berlin', at('2024-10-27T16:00:00Z'))).toBe(false);
  });

  it('is closed all day on a day that is not a work day', () => {
    const hours = [row(1, 0, 2400, { workDay: false })];
    expect(isOpen(hours, 'Etc/UTC', at('2024-01-08T00:00:00Z'))).toBe(false);
    expect(isOpen(hours, 'Etc/UTC', at('2024-01-08T12:00:00Z'))).toBe(false);
    expect(isOpen(hours, 'Etc/UTC', at('2024-01-09T12:00:00Z'))).toBe(true); // Tuesday: no row
  });

  it('stays closed on a non-work day even when inverted', () => {
    const hours = [row(1, 900, 1700, { workDay: false, invert: true })];
    expect(isOpen(hours, 'Etc/UTC', at('2024-01-08T03:00:00Z'))).toBe(false);
  });

  it('invert swaps open and closed within the day', () => {
    const lunchBreak = [row(1, 1200, 1300, { invert: true })];
    expect(isOpen(lunchBreak, 'Etc/UTC', at('2024-01-08T11:59:00Z'))).toBe(true);
    expect(isOpen(lunchBreak, 'Etc/UTC', at('2024-01-08T12:00:00Z'))).toBe(false);
    expect(isOpen(lunchBreak, 'Etc/UTC', at('2024-01-08T12:59:00Z'))).toBe(false);
    expect(isOpen(lunchBreak, 'Etc/UTC', at('2024-01-08T13:00:00Z'))).toBe(true);
  });

  it('expresses an overnight shift 22:00–06:00 as 0600..2200 inverted', () => {
    const nights = everyDay(600, 2200, { invert: true });
    const zone = 'America/Chicago';
    // Tuesday 9 January 2024, Chicago is UTC-6.
    expect(isOpen(nights, zone, at('2024-01-09T05:00:00Z'))).toBe(true); // Mon 23:00
    expect(isOpen(nights, zone, at('2024-01-10T03:59:00Z'))).toBe(false); // Tue 21:59
    expect(isOpen(nights, zone, at('2024-01-10T04:00:00Z'))).toBe(true); // Tue 22:00
    expect(isOpen(nights, zone, at('2024-01-10T11:59:00Z'))).toBe(true); // Wed 05:59
    expect(isOpen(nights, zone, at('2024-01-10T12:00:00Z'))).toBe(false); // Wed 06:00
    expect(isOpen(nights, zone, at('2024-01-10T18:00:00Z'))).toBe(false); // Wed 12:00
  });

  it('reads a non-inverted window that closes before it opens as wrapping midnight', () => {
    const wrapped = everyDay(2200, 600);
    const inverted = everyDay(600, 2200, { invert: true });
    for (const hhmm of ['00:00', '05:59', '06:00', '12:00', '21:59', '22:00', '23:59']) {
      const t = at(`2024-01-10T${hhmm}:00Z`);
      expect(isOpen(wrapped, 'Etc/UTC', t)).toBe(isOpen(inverted, 'Etc/UTC', t));
    }
    expect(isOpen(wrapped, 'Etc/UTC', at('2024-01-10T23:00:00Z'))).toBe(true);
    expect(isOpen(wrapped, 'Etc/UTC', at('2024-01-10T12:00:00Z'))).toBe(false);
  });

  it('reads open == close as an empty window, and its inverse as open all day', () => {
    expect(isOpen([row(1, 900, 900)], 'Etc/UTC', at('2024-01-08T09:00:00Z'))).toBe(false);
    expect(isOpen([row(1, 900, 900, { invert: true })], 'Etc/UTC', at('2024-01-08T09:00:00Z'))).toBe(true);
  });

  it('is open when any of several rows for the day says open', () => {
    const split = [row(1, 900, 1200), row(1, 1300, 1700)];
    expect(isOpen(split, 'Etc/UTC', at('2024-01-08T10:00:00Z'))).toBe(true);
    expect(isOpen(split, 'Etc/UTC', at('2024-01-08T12:30:00Z'))).toBe(false);
    expect(isOpen(split, 'Etc/UTC', at('2024-01-08T14:00:00Z'))).toBe(true);
    const withDayOff = [row(1, 0, 2400, { workDay: false }), row(1, 900, 1000)];
    expect(isOpen(withDayOff, 'Etc/UTC', at('2024-01-08T09:30:00Z'))).toBe(true);
    expect(isOpen(withDayOff, 'Etc/UTC', at('2024-01-08T10:30:00Z'))).toBe(false);
  });

  it('isOpenAt agrees with isOpen for a precomputed local time', () => {
    expect(isOpenAt(weekdays9to5, { weekday: 3, hhmm: 900 })).toBe(true);
    expect(isOpenAt(weekdays9to5, { weekday: 3, hhmm: 1700 })).toBe(false);
    expect(isOpenAt(weekdays9to5, { weekday: 0, hhmm: 300 })).toBe(true);
  });
});
