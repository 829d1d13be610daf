import { describe, expect, it } from 'vitest';
import {
  addSums,
  callSums,
  cpc,
  emptySums,
  epc,
  mean,
  percentOf,
  populationStdDev,
  profitCents,
  type ReportCall,
  reportMetrics,
  sig16,
  uniqueCalls,
} from '../../src/domain/report-metrics.js';

const finished = (over: Partial<ReportCall> = {}): ReportCall => ({
  status: 'finished',
  repeat: 0,
  duplicate: 0,
  converted: 0,
  rescued: 0,
  connected: 0,
  revenue: null,
  payout: null,
  charge_total: 0,
  total_duration: 0,
  dialed_call_duration: 0,
  ...over,
});

const sumOf = (calls: ReportCall[]) => calls.reduce((s, c) => addSums(s, callSums(c)), emptySums());

describe('report metrics (seed 001, Reports)', () => {
  it('unique_calls: total calls minus repeats (3 calls, 2 repeats → 1)', () => {
    const s = sumOf([finished(), finished({ repeat: 1 }), finished({ repeat: 1 })]);
    expect(uniqueCalls(s)).toBe(1);
  });

  it('_percent: a share of total_calls on a 0–100 scale, 0 without calls', () => {
    expect(percentOf(2, 3)).toBe(66.66666666666666);
    expect(percentOf(0, 3)).toBe(0);
    expect(percentOf(0, 0)).toBe(0);
  });

  it('total_duration: the mean; total_duration_percent: the population standard deviation', () => {
    expect(mean(3, 11)).toBe(11 / 3);
    expect(mean(0, 0)).toBe(0);
    expect(populationStdDev(3, 11, 41)).toBe(0.47140452079103273);
    expect(populationStdDev(2, 10, 50)).toBe(0); // 5 and 5
    expect(populationStdDev(0, 0, 0)).toBe(0);
    // Equal large values: rounding must not go below zero (NaN).
    expect(populationStdDev(3, 3 * 86399, 3 * 86399 * 86399)).toBe(0);
  });

  it('durations count ended calls only; connected_duration the connected time of those that connected', () => {
    const s = sumOf([
      finished({ total_duration: 10, connected: 1, dialed_call_duration: 6 }),
      finished({ total_duration: 20 }),
      finished({ status: 'in-progress', total_duration: 999, connected: 1, dialed_call_duration: 999 }),
    ]);
    const m = reportMetrics(s);
    expect(m.total_calls).toBe(3);
    expect(m.in_progress_count).toBe(1);
    expect(m.total_duration).toBe(15);
    expect(m.total_duration_percent).toBe(5);
    expect(m.connected_duration).toBe(6);
    expect(m.connected_duration_percent).toBe(0);
  });

  it('money: revenue, payout, cost (charge_total) summed in cents; profit = revenue − payout − cost', () => {
    const s = sumOf([
      finished({ converted: 1, revenue: 0.1, payout: 0.05, charge_total: 0.04 }),
      finished({ converted: 1, revenue: 0.2, payout: null, charge_total: 0.04 }),
      finished({ charge_total: 0.04 }),
    ]);
    expect(profitCents(s)).toBe(30 - 5 - 12);
    const m = reportMetrics(s);
    expect([m.revenue, m.payout, m.cost, m.profit]).toEqual([0.3, 0.05, 0.12, 0.13]);
    expect(m.converted_count).toBe(2);
    expect(m.converted_count_percent).toBe(sig16((2 / 3) * 100));
    expect(reportMetrics(sumOf([finished({ charge_total: 0.12 })])).profit).toBe(-0.12);
  });

  it('epc: revenue per call; cpc: payout per call (not the platform cost)', () => {
    const s = sumOf([finished({ revenue: 9, payout: 3, charge_total: 5 }), finished()]);
    expect(epc(s)).toBe(4.5);
    expect(cpc(s)).toBe(1.5);
    expect(epc(emptySums())).toBe(0);
    expect(cpc(emptySums())).toBe(0);
  });

  it('rescued_count and rescued_revenue count rescued calls; duplicates and repeats are counted', () => {
    const m = reportMetrics(
      sumOf([
        finished({ rescued: 1, converted: 1, revenue: 7 }),
        finished({ converted: 1, revenue: 5, duplicate: 1 }),
        finished({ repeat: 1, duplicate: 1 }),
      ]),
    );
    expect(m.rescued_count).toBe(1);
    expect(m.rescued_revenue).toBe(7);
    expect(m.rescued_count_percent).toBe(sig16((1 / 3) * 100));
    expect(m.duplicate_count).toBe(2);
    expect(m.repeat_count).toBe(1);
  });

  it('prints ratios to 16 significant digits, as the seed does', () => {
    expect(sig16(11 / 3)).toBe(3.666666666666667);
    expect(sig16(0.47140452079103273)).toBe(0.4714045207910327);
    expect(sig16(66.66666666666666)).toBe(66.66666666666666);
  });

  it('sums combine by addition: a whole equals its parts in any grouping', () => {
    const calls = [1, 2, 3, 4, 5].map((d) => finished({ total_duration: d * 7, repeat: d % 2 }));
    const whole = reportMetrics(sumOf(calls));
    const parts = reportMetrics(addSums(sumOf(calls.slice(0, 2)), sumOf(calls.slice(2))));
    expect(parts).toEqual(whole);
  });
});
