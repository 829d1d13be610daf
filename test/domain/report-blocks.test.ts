import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blocksBeneath,
  blocksHolding,
  coverDays,
  dayOfOrdinal,
  halvesOf,
  MAX_LEVEL,
  ordinalOf,
  type Span,
} from '../../src/domain/report-blocks.js';

const daysOf = (s: Span) =>
  Array.from({ length: 2 ** s.level }, (_, i) => dayOfOrdinal(ordinalOf(s.day) + i));

describe('report blocks', () => {
  it('numbers local dates by calendar, across months, leap days and years', () => {
    expect(ordinalOf(19700101)).toBe(0);
    expect(dayOfOrdinal(ordinalOf(20240228) + 1)).toBe(20240229);
    expect(dayOfOrdinal(ordinalOf(20241231) + 1)).toBe(20250101);
  });

  it('covers the benchmark’s 30 days (Jan 31 – Mar 1, 2025) with 5 spans instead of 30', () => {
    const cover = coverDays(20250131, 20250301);
    expect(cover).toEqual([
      { level: 0, day: 20250131 },
      { level: 3, day: 20250201 },
      { level: 4, day: 20250209 },
      { level: 2, day: 20250225 },
      { level: 0, day: 20250301 },
    ]);
  });

  it('keeps days from openFrom on as single days', () => {
    expect(coverDays(20250201, 20250216, 20250215)).toEqual([
      { level: 3, day: 20250201 },
      { level: 2, day: 20250209 },
      { level: 1, day: 20250213 },
      { level: 0, day: 20250215 },
      { level: 0, day: 20250216 },
    ]);
  });

  it('any range: the spans tile it exactly, aligned, at most two per level', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: ordinalOf(20200101), max: ordinalOf(20300101) }),
        fc.integer({ min: 0, max: 800 }),
        fc.option(fc.integer({ min: 0, max: 800 }), { nil: undefined }),
        (a, length, open) => {
          const first = dayOfOrdinal(a);
          const last = dayOfOrdinal(a + length);
          const openFrom = open === undefined ? undefined : dayOfOrdinal(a + open);
          const cover = coverDays(first, last, openFrom);
          const days = cover.flatMap(daysOf);
          expect(days).toEqual(Array.from({ length: length + 1 }, (_, i) => dayOfOrdinal(a + i)));
          for (const s of cover) {
            expect(ordinalOf(s.day) % 2 ** s.level).toBe(0);
            expect(s.level).toBeLessThanOrEqual(MAX_LEVEL);
            if (openFrom !== undefined && s.level > 0)
              expect(ordinalOf(s.day) + 2 ** s.level - 1).toBeLessThan(ordinalOf(openFrom));
          }
          if (open === undefined) {
            for (let l = 0; l < MAX_LEVEL; l++)
              expect(cover.filter((s) => s.level === l).length).toBeLessThanOrEqual(2);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a day is held by one block per level, and each block’s halves tile it', () => {
    const holding = blocksHolding(20250214);
    expect(holding).toHaveLength(MAX_LEVEL);
    for (const b of holding) {
      expect(daysOf(b)).toContain(20250214);
      const [x, y] = halvesOf(b);
      expect([...daysOf(x), ...daysOf(y)]).toEqual(daysOf(b));
    }
    // A level-3 block needs its 2 + 4 blocks beneath summed first, smallest first, then itself.
    const beneath = blocksBeneath({ level: 3, day: 20250201 });
    expect(beneath.map((b) => b.level)).toEqual([1, 1, 1, 1, 2, 2, 3]);
    expect(blocksBeneath({ level: 0, day: 20250201 })).toEqual([]);
  });
});
