import { toCents } from './money.js';

/**
 * Report metrics (seed 001, Reports). A set of calls reduces to these sums; every metric of a report row
 * is computed from them alone, so day rollups and raw calls combine by plain addition and a report reads
 * the same whichever way its calls were summed. All sums are integers (money in cents, durations in whole
 * seconds), so SQLite and PostgreSQL add them up to exactly the same figures.
 */
export interface ReportSums {
  total_calls: number;
  repeat_count: number;
  duplicate_count: number;
  converted_count: number;
  revenue_cents: number;
  payout_cents: number;
  cost_cents: number;
  /** Ended calls and their total durations (sum and sum of squares), for the mean and spread. */
  duration_n: number;
  duration_sum: number;
  duration_sumsq: number;
  rescued_count: number;
  rescued_revenue_cents: number;
  /** Ended calls that connected, and their connected (dialed call) durations. */
  connected_n: number;
  connected_sum: number;
  connected_sumsq: number;
  in_progress_count: number;
}

export const SUM_FIELDS = [
  'total_calls',
  'repeat_count',
  'duplicate_count',
  'converted_count',
  'revenue_cents',
  'payout_cents',
  'cost_cents',
  'duration_n',
  'duration_sum',
  'duration_sumsq',
  'rescued_count',
  'rescued_revenue_cents',
  'connected_n',
  'connected_sum',
  'connected_sumsq',
  'in_progress_count',
] as const satisfies readonly (keyof ReportSums)[];

/** What a report needs of one call record. Flags are 0/1 as stored; money in dollars (null = none). */
export interface ReportCall {
  status: string;
  repeat: number;
  duplicate: number;
  converted: number;
  rescued: number;
  connected: number;
  revenue: number | null;
  payout: number | null;
  charge_total: number;
  total_duration: number;
  dialed_call_duration: number;
}

export const IN_PROGRESS = 'in-progress';

export function emptySums(): ReportSums {
  const s = {} as ReportSums;
  for (const f of SUM_FIELDS) s[f] = 0;
  return s;
}

/**
 * One call's contribution. A call still in progress counts in total_calls and in_progress_count but not
 * in the duration figures: its durations are not known yet (and would pull every mean towards zero).
 */
export function callSums(c: ReportCall): ReportSums {
  const s = emptySums();
  const ended = c.status !== IN_PROGRESS;
  const revenue = toCents(c.revenue ?? 0);
  s.total_calls = 1;
  s.repeat_count = c.repeat ? 1 : 0;
  s.duplicate_count = c.duplicate ? 1 : 0;
  s.converted_count = c.converted ? 1 : 0;
  s.revenue_cents = revenue;
  s.payout_cents = toCents(c.payout ?? 0);
  s.cost_cents = toCents(c.charge_total ?? 0);
  s.rescued_count = c.rescued ? 1 : 0;
  s.rescued_revenue_cents = c.rescued ? revenue : 0;
  s.in_progress_count = ended ? 0 : 1;
  if (ended) {
    const d = Math.round(c.total_duration);
    s.duration_n = 1;
    s.duration_sum = d;
    s.duration_sumsq = d * d;
    if (c.connected) {
      const cd = Math.round(c.dialed_call_duration);
      s.connected_n = 1;
      s.connected_sum = cd;
      s.connected_sumsq = cd * cd;
    }
  }
  return s;
}

/** Adds `b` into `a` (and returns `a`). */
export function addSums(a: ReportSums, b: ReportSums): ReportSums {
  for (const f of SUM_FIELDS) a[f] += b[f];
  return a;
}

/** Calls that are not repeats: the seed's 3 calls with 2 repeats have 1 unique call. */
export const uniqueCalls = (s: ReportSums): number => s.total_calls - s.repeat_count;

/** `part` as a percentage (0–100) of `whole`, computed as the seed's 66.66666666666666 is; 0 for none. */
export const percentOf = (part: number, whole: number): number => (whole === 0 ? 0 : (part / whole) * 100);

/** Arithmetic mean; 0 for no values. */
export const mean = (n: number, sum: number): number => (n === 0 ? 0 : sum / n);

/**
 * Population standard deviation from the count, sum and sum of squares: sqrt(E[x²] − E[x]²), which is
 * what the seed's 0.4714045207910327 for durations 3, 4, 4 is (to the last digit). Rounding can take the
 * difference a hair below zero for equal values; that is 0.
 */
export const populationStdDev = (n: number, sum: number, sumsq: number): number => {
  if (n === 0) return 0;
  const m = sum / n;
  return Math.sqrt(Math.max(0, sumsq / n - m * m));
};

const dollars = (cents: number): number => cents / 100;

/**
 * Ratios are given to 16 significant digits, as the seed prints them: its 3.666666666666667 is 11/3 so
 * rounded (the nearest double to 11/3 itself prints as 3.6666666666666665).
 */
export const sig16 = (x: number): number => Number(x.toPrecision(16));

/** What the company keeps: revenue − payout − cost (the seed: 0 − 0 − 0.12 = −0.12), in dollars. */
export const profitCents = (s: ReportSums): number => s.revenue_cents - s.payout_cents - s.cost_cents;

/** Earnings per call: revenue / total calls, in dollars. */
export const epc = (s: ReportSums): number =>
  s.total_calls === 0 ? 0 : dollars(s.revenue_cents) / s.total_calls;

/**
 * Cost per call: what the company paid its publishers (payout) / total calls, in dollars. Not the
 * platform's call cost: the seed's row has cost 0.12 over 3 calls and cpc 0.
 */
export const cpc = (s: ReportSums): number =>
  s.total_calls === 0 ? 0 : dollars(s.payout_cents) / s.total_calls;

/** The metrics of one report row, in the seed's order. */
export interface ReportMetrics {
  total_calls: number;
  repeat_count: number;
  duplicate_count: number;
  unique_calls: number;
  converted_count: number;
  revenue: number;
  payout: number;
  cost: number;
  total_duration: number;
  total_duration_percent: number;
  rescued_count: number;
  rescued_revenue: number;
  connected_duration: number;
  connected_duration_percent: number;
  in_progress_count: number;
  profit: number;
  repeat_count_percent: number;
  duplicate_count_percent: number;
  converted_count_percent: number;
  rescued_count_percent: number;
  epc: number;
  cpc: number;
}

/**
 * Every metric from the sums. `total_duration` is the mean duration of the ended calls and
 * `total_duration_percent` their population standard deviation (the seed's 3.667 and 0.4714 for 3, 4, 4);
 * `connected_duration(_percent)` are the same over the connected time of the ended calls that connected.
 * The `_percent` counts are shares of total_calls on a 0–100 scale.
 */
export function reportMetrics(s: ReportSums): ReportMetrics {
  return {
    total_calls: s.total_calls,
    repeat_count: s.repeat_count,
    duplicate_count: s.duplicate_count,
    unique_calls: uniqueCalls(s),
    converted_count: s.converted_count,
    revenue: dollars(s.revenue_cents),
    payout: dollars(s.payout_cents),
    cost: dollars(s.cost_cents),
    total_duration: sig16(mean(s.duration_n, s.duration_sum)),
    total_duration_percent: sig16(populationStdDev(s.duration_n, s.duration_sum, s.duration_sumsq)),
    rescued_count: s.rescued_count,
    rescued_revenue: dollars(s.rescued_revenue_cents),
    connected_duration: sig16(mean(s.connected_n, s.connected_sum)),
    connected_duration_percent: sig16(populationStdDev(s.connected_n, s.connected_sum, s.connected_sumsq)),
    in_progress_count: s.in_progress_count,
    profit: dollars(profitCents(s)),
    repeat_count_percent: sig16(percentOf(s.repeat_count, s.total_calls)),
    duplicate_count_percent: sig16(percentOf(s.duplicate_count, s.total_calls)),
    converted_count_percent: sig16(percentOf(s.converted_count, s.total_calls)),
    rescued_count_percent: sig16(percentOf(s.rescued_count, s.total_calls)),
    epc: sig16(epc(s)),
    cpc: sig16(cpc(s)),
  };
}
