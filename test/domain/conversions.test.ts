import { describe, expect, it } from 'vitest';
import {
  type ConversionCallFacts,
  type ConversionRule,
  conversionReason,
  conversionThreshold,
  decideConversion,
  decidingRules,
} from '../../src/domain/conversions.js';
import { fromCents, hasAtMostTwoDecimals, roundMoney, toCents } from '../../src/domain/money.js';

const TARGET = 10;
const AFFILIATE = 20;

const rule = (
  id: number,
  seconds: number,
  revenue: number,
  payout: number,
  scope: Partial<ConversionRule> = {},
): ConversionRule => ({
  id,
  seconds,
  revenue,
  payout,
  ...scope,
});

function facts(
  connectedSeconds: number | null,
  extra: Partial<ConversionCallFacts> = {},
): ConversionCallFacts {
  return {
    connectedSeconds,
    targetId: TARGET,
    affiliateId: AFFILIATE,
    timerOffsetS: 0,
    payableDuplicate: false,
    receivableDuplicate: false,
    ...extra,
  };
}

const campaignWide = [rule(1, 60, 10, 5), rule(2, 120, 20, 8)];

describe('decideConversion', () => {
  it('converts at the highest threshold met, with its revenue and payout', () => {
    expect(decideConversion(campaignWide, facts(130))).toEqual({
      converted: true,
      payable: true,
      receivable: true,
      revenue: 20,
      payout: 8,
      conversion_seconds: 120,
      payable_duplicate: false,
      receivable_duplicate: false,
      rule_id: 2,
    });
    expect(decideConversion(campaignWide, facts(60))).toMatchObject({
      converted: true,
      revenue: 10,
      payout: 5,
      rule_id: 1,
    });
  });

  it('does not convert below every threshold: null amounts, as in the seed', () => {
    expect(decideConversion(campaignWide, facts(59.9))).toEqual({
      converted: false,
      payable: false,
      receivable: false,
      revenue: null,
      payout: null,
      conversion_seconds: null,
      payable_duplicate: false,
      receivable_duplicate: false,
      rule_id: null,
    });
  });

  it('does not convert without rules, nor a call never answered (even under a 0 s rule)', () => {
    expect(decideConversion([], facts(500)).converted).toBe(false);
    expect(decideConversion([rule(1, 0, 1, 1)], facts(null)).converted).toBe(false);
    expect(decideConversion([rule(1, 0, 1, 1)], facts(0)).converted).toBe(true);
  });

  it('lets the most specific tier decide alone: target+affiliate > target > affiliate > campaign-wide', () => {
    const rules = [
      rule(1, 10, 1, 1),
      rule(2, 10, 2, 2, { affiliate_id: AFFILIATE }),
      rule(3, 10, 3, 3, { target_id: TARGET }),
      rule(4, 10, 4, 4, { target_id: TARGET, affiliate_id: AFFILIATE }),
    ];
    expect(decideConversion(rules, facts(30)).rule_id).toBe(4);
    expect(decideConversion(rules.slice(0, 3), facts(30)).rule_id).toBe(3);
    expect(decideConversion(rules.slice(0, 2), facts(30)).rule_id).toBe(2);
    expect(decideConversion(rules.slice(0, 1), facts(30)).rule_id).toBe(1);
  });

  it('does not fall back to a general rule when the specific tier is not met', () => {
    const rules = [rule(1, 60, 10, 5), rule(2, 120, 25, 10, { target_id: TARGET })];
    expect(decideConversion(rules, facts(90)).converted).toBe(false);
    expect(decideConversion(rules, facts(120)).rule_id).toBe(2);
    // Another target is not bound by target 10's terms.
    expect(decideConversion(rules, facts(90, { targetId: 11 })).rule_id).toBe(1);
  });

  it('ignores rules for another target or affiliate, and rules needing a target the call lacks', () => {
    const rules = [
      rule(1, 10, 1, 1, { target_id: 99 }),
      rule(2, 10, 2, 2, { affiliate_id: 98 }),
      rule(3, 10, 3, 3, { target_id: TARGET }),
    ];
    expect(decideConversion(rules, facts(30)).rule_id).toBe(3);
    expect(decideConversion(rules, facts(30, { targetId: null })).converted).toBe(false);
    expect(
      decideConversion([rule(5, 0, 1, 1, { affiliate_id: AFFILIATE })], facts(5, { affiliateId: null }))
        .converted,
    ).toBe(false);
  });

  it('breaks a tie of equal thresholds in favour of the rule created first', () => {
    expect(decideConversion([rule(7, 60, 7, 7), rule(3, 60, 3, 3)], facts(60)).rule_id).toBe(3);
  });

  it('moves thresholds by the target timer_offset, clamped at 0, and reports the moved threshold', () => {
    expect(decideConversion(campaignWide, facts(80, { timerOffsetS: 30 })).converted).toBe(false);
    expect(decideConversion(campaignWide, facts(90, { timerOffsetS: 30 }))).toMatchObject({
      rule_id: 1,
      conversion_seconds: 90,
    });
    expect(decideConversion(campaignWide, facts(60, { timerOffsetS: -60 }))).toMatchObject({
      rule_id: 2,
      conversion_seconds: 60,
    });
    expect(decideConversion(campaignWide, facts(0, { timerOffsetS: -500 }))).toMatchObject({
      rule_id: 2,
      conversion_seconds: 0,
    });
    expect(conversionThreshold({ seconds: 10 }, -20)).toBe(0);
  });

  it('flags a duplicate that would convert: converted, but neither payable nor receivable, amounts 0', () => {
    expect(
      decideConversion(campaignWide, facts(130, { payableDuplicate: true, receivableDuplicate: true })),
    ).toEqual({
      converted: true,
      payable: false,
      receivable: false,
      revenue: 0,
      payout: 0,
      conversion_seconds: 120,
      payable_duplicate: true,
      receivable_duplicate: true,
      rule_id: 2,
    });
  });

  it('handles the publisher and buyer sides of dedupe separately', () => {
    expect(decideConversion(campaignWide, facts(130, { payableDuplicate: true }))).toMatchObject({
      payable: false,
      payable_duplicate: true,
      payout: 0,
      receivable: true,
      receivable_duplicate: false,
      revenue: 20,
    });
    expect(decideConversion(campaignWide, facts(130, { receivableDuplicate: true }))).toMatchObject({
      payable: true,
      payout: 8,
      receivable: false,
      receivable_duplicate: true,
      revenue: 0,
    });
  });

  it('does not flag a duplicate that would not convert anyway', () => {
    const out = decideConversion(
      campaignWide,
      facts(10, { payableDuplicate: true, receivableDuplicate: true }),
    );
    expect(out).toMatchObject({
      converted: false,
      payable_duplicate: false,
      receivable_duplicate: false,
      revenue: null,
    });
  });

  it('rounds amounts to cents', () => {
    expect(decideConversion([rule(1, 0, 10.005, 0.1 + 0.2)], facts(1))).toMatchObject({
      revenue: 10.01,
      payout: 0.3,
    });
  });
});

describe('conversionReason', () => {
  const why = (rules: ConversionRule[], f: ConversionCallFacts) =>
    conversionReason(rules, f, decideConversion(rules, f));
  it('names the rule met, or what stood in the way', () => {
    expect(why(campaignWide, facts(130))).toBe('rule 2 met: connected 130 s ≥ 120 s');
    expect(why(campaignWide, facts(70, { payableDuplicate: true }))).toBe(
      'rule 1 met: connected 70 s ≥ 60 s (duplicate: nothing owed on that side)',
    );
    expect(why(campaignWide, facts(null))).toBe('never connected');
    expect(why([], facts(300))).toBe('the campaign has no conversion rules');
    expect(why([rule(3, 10, 1, 1, { target_id: 99 })], facts(300))).toBe(
      'no rule applies to this buyer and publisher',
    );
    expect(why(campaignWide, facts(59, { timerOffsetS: 5 }))).toBe(
      'connected 59 s < 65 s, the lowest threshold of the rules that apply',
    );
  });
});

describe('decidingRules', () => {
  it('returns the most specific applicable tier in creation order', () => {
    const rules = [
      rule(5, 60, 1, 1, { target_id: TARGET }),
      rule(1, 0, 1, 1),
      rule(2, 30, 1, 1, { target_id: TARGET }),
    ];
    expect(decidingRules(rules, { targetId: TARGET, affiliateId: null }).map((r) => r.id)).toEqual([2, 5]);
    expect(decidingRules(rules, { targetId: 3, affiliateId: null }).map((r) => r.id)).toEqual([1]);
    expect(decidingRules([], { targetId: 3, affiliateId: null })).toEqual([]);
  });
});

describe('money', () => {
  it('rounds half away from zero despite float noise', () => {
    expect(roundMoney(1.005)).toBe(1.01);
    expect(roundMoney(2.675)).toBe(2.68);
    expect(roundMoney(0.1 + 0.2)).toBe(0.3);
    expect(roundMoney(-1.005)).toBe(-1.01);
    expect(roundMoney(0)).toBe(0);
  });

  it('tells amounts with at most 2 decimals', () => {
    expect(hasAtMostTwoDecimals(5)).toBe(true);
    expect(hasAtMostTwoDecimals(19.99)).toBe(true);
    expect(hasAtMostTwoDecimals(0.1 + 0.2)).toBe(true);
    expect(hasAtMostTwoDecimals(1.005)).toBe(false);
    expect(hasAtMostTwoDecimals(Number.NaN)).toBe(false);
  });

  it('converts to and from cents exactly', () => {
    expect(toCents(19.99)).toBe(1999);
    expect(toCents(1.1)).toBe(110);
    expect(fromCents(1999)).toBe(19.99);
  });
});
