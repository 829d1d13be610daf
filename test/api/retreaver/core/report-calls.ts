import { randomUUID } from 'node:crypto';
import type { TestApp } from '../../../helpers/app.js';

/** A call as a report test makes it: what the engine would have recorded. */
export interface MadeCall {
  company_id: number;
  created_at: number;
  status: string;
  affiliate_id: number | null;
  target_id: number | null;
  campaign_id: number | null;
  number_id: number | null;
  number: string;
  repeat: 0 | 1;
  duplicate: 0 | 1;
  converted: 0 | 1;
  rescued: 0 | 1;
  connected: 0 | 1;
  revenue: number | null;
  payout: number | null;
  charge_total: number;
  total_duration: number;
  dialed_call_duration: number;
  tags: Record<string, string>;
}

export function call(base: Partial<MadeCall> & Pick<MadeCall, 'company_id' | 'created_at'>): MadeCall {
  return {
    status: 'finished',
    affiliate_id: null,
    target_id: null,
    campaign_id: null,
    number_id: null,
    number: '+18005550000',
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
    tags: {},
    ...base,
  };
}

/** Writes calls the way the engine does (every NOT NULL column filled), in one statement. */
export async function insertCalls(t: TestApp, calls: MadeCall[]): Promise<string[]> {
  const uuids: string[] = [];
  const rows = calls.map((c) => {
    const uuid = randomUUID();
    uuids.push(uuid);
    return {
      uuid,
      company_id: c.company_id,
      status: c.status,
      caller: '+13015550100',
      number: c.number,
      number_id: c.number_id,
      campaign_id: c.campaign_id,
      affiliate_id: c.affiliate_id,
      target_id: c.target_id,
      start_time: c.created_at,
      end_time: c.status === 'in-progress' ? null : c.created_at + c.total_duration * 1000,
      ivr_duration: 0,
      hold_duration: 0,
      dialed_call_duration: c.dialed_call_duration,
      total_duration: c.total_duration,
      keys_pressed: '[]',
      tags: JSON.stringify(c.tags),
      repeat: c.repeat,
      affiliate_repeat: 0,
      number_repeat: 0,
      duplicate: c.duplicate,
      payable_duplicate: 0,
      receivable_duplicate: 0,
      connected: c.connected,
      billable_minutes: Math.ceil(c.total_duration / 60),
      charge_total: c.charge_total,
      revenue: c.revenue,
      payout: c.payout,
      converted: c.converted,
      payable: c.converted,
      receivable: c.converted,
      via: 'inbound-dial',
      rescued: c.rescued,
      downstream_call_uuids: '[]',
      created_at: c.created_at,
      updated_at: c.created_at,
    };
  });
  for (let i = 0; i < rows.length; i += 200) {
    await t.app.store.db
      .insertInto('calls')
      .values(rows.slice(i, i + 200))
      .execute();
  }
  return uuids;
}

/**
 * The expected metrics of a group of calls, computed here from the calls themselves (two-pass standard
 * deviation, plain sums), independently of src/domain.
 */
export function expectedMetrics(calls: MadeCall[]) {
  const n = calls.length;
  const count = (f: (c: MadeCall) => boolean) => calls.filter(f).length;
  const money = (f: (c: MadeCall) => number) => Math.round(calls.reduce((s, c) => s + f(c) * 100, 0)) / 100;
  const ended = calls.filter((c) => c.status !== 'in-progress');
  const connected = ended.filter((c) => c.connected === 1);
  const stats = (xs: number[]) => {
    if (!xs.length) return { mean: 0, sd: 0 };
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length);
    return { mean, sd };
  };
  const td = stats(ended.map((c) => c.total_duration));
  const cd = stats(connected.map((c) => c.dialed_call_duration));
  const repeats = count((c) => c.repeat === 1);
  const dups = count((c) => c.duplicate === 1);
  const conv = count((c) => c.converted === 1);
  const rescued = count((c) => c.rescued === 1);
  const revenue = money((c) => c.revenue ?? 0);
  const payout = money((c) => c.payout ?? 0);
  const cost = money((c) => c.charge_total);
  return {
    total_calls: n,
    repeat_count: repeats,
    duplicate_count: dups,
    unique_calls: n - repeats,
    converted_count: conv,
    revenue,
    payout,
    cost,
    total_duration: td.mean,
    total_duration_percent: td.sd,
    rescued_count: rescued,
    rescued_revenue: money((c) => (c.rescued ? (c.revenue ?? 0) : 0)),
    connected_duration: cd.mean,
    connected_duration_percent: cd.sd,
    in_progress_count: count((c) => c.status === 'in-progress'),
    profit: Math.round((revenue - payout - cost) * 100) / 100,
    repeat_count_percent: (100 * repeats) / n,
    duplicate_count_percent: (100 * dups) / n,
    converted_count_percent: (100 * conv) / n,
    rescued_count_percent: (100 * rescued) / n,
    epc: revenue / n,
    cpc: payout / n,
  };
}

/** Compares a report row with expected metrics: counts and money exactly, ratios to 9 digits. */
export function expectRow(actual: Record<string, unknown>, expected: Record<string, number>, label = '') {
  for (const [k, v] of Object.entries(expected)) {
    const got = actual[k];
    if (typeof got !== 'number') throw new Error(`${label} ${k}: ${JSON.stringify(got)} is not a number`);
    if (Math.abs(got - v) > 1e-9 * Math.max(1, Math.abs(v)))
      throw new Error(`${label} ${k}: got ${got}, expected ${v}`);
  }
}

/** A small deterministic PRNG, so a failure reproduces. */
export function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
