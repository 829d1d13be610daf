import { describe, expect, it } from 'vitest';
import {
  type CapState,
  type DialStep,
  eligibility,
  planRoute,
  type RoutableGroup,
  type RoutableTarget,
  type RouteContext,
  type RoutingEntry,
} from '../../src/domain/routing.js';

/** Tiny deterministic PRNG (mulberry32) so shuffles are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONDAY_NOON_UTC = Date.parse('2024-01-08T12:00:00Z');

function target(id: number, extra: Partial<RoutableTarget> = {}): RoutableTarget {
  return {
    id,
    number: `+1555000${String(id).padStart(4, '0')}`,
    priority: 1,
    weight: 1,
    timeoutSeconds: 30,
    paused: false,
    zone: 'Etc/UTC',
    businessHours: [],
    caps: [],
    concurrencyCap: null,
    inProgress: 0,
    tags: [],
    ...extra,
  };
}

function group(id: number, members: RoutableTarget[], extra: Partial<RoutableGroup> = {}): RoutableGroup {
  return {
    id,
    behavior: 1,
    priority: null,
    weight: null,
    caps: [],
    concurrencyCap: null,
    inProgress: 0,
    members,
    ...extra,
  };
}

const T = (t: RoutableTarget): RoutingEntry => ({ kind: 'target', target: t });
const G = (g: RoutableGroup): RoutingEntry => ({ kind: 'group', group: g });

function ctx(extra: Partial<RouteContext> = {}): RouteContext {
  return { now: MONDAY_NOON_UTC, callTags: {}, random: mulberry32(1), ...extra };
}

/** Each step as a compact label: target id, or "g<id>:[ids]" for simuldial. */
function labels(steps: DialStep[]): (number | string)[] {
  return steps.map((s) =>
    s.kind === 'single' ? s.target.id : `g${s.group.id}:[${s.targets.map((t) => t.id)}]`,
  );
}

const cap = (type: CapState['type'], capValue: number | null, filled: number): CapState => ({
  type,
  cap: capValue,
  filled,
});
const tag = (key: string, value: string, operator = '==') => ({ key, value, operator });

describe('eligibility', () => {
  it('accepts a plain target', () => {
    expect(eligibility(target(1), ctx())).toEqual({ ok: true });
  });

  it('refuses a paused target', () => {
    expect(eligibility(target(1, { paused: true }), ctx())).toEqual({ ok: false, reason: 'paused' });
  });

  it('refuses a target outside its business hours, in its own zone', () => {
    const hours = [{ dayOfWeek: 1, workDay: true, timeOpen: 900, timeClose: 1700, invert: false }];
    // Noon UTC is 07:00 in New York: closed there, open in London.
    expect(eligibility(target(1, { businessHours: hours, zone: 'America/New_York' }), ctx())).toEqual({
      ok: false,
      reason: 'closed',
    });
    expect(eligibility(target(1, { businessHours: hours, zone: 'Europe/London' }), ctx()).ok).toBe(true);
  });

  for (const type of ['Hard', 'Hourly', 'Daily', 'Monthly'] as const) {
    it(`refuses a target whose ${type} cap is full, and accepts one below it`, () => {
      const full = target(1, { caps: [cap('Hard', null, 99), cap(type, 5, 5)] });
      const over = target(1, { caps: [cap(type, 5, 7)] });
      const below = target(1, { caps: [cap(type, 5, 4)] });
      expect(eligibility(full, ctx())).toEqual({ ok: false, reason: 'cap' });
      expect(eligibility(over, ctx())).toEqual({ ok: false, reason: 'cap' });
      expect(eligibility(below, ctx()).ok).toBe(true);
    });
  }

  it('ignores caps set to null however much is filled, and reads cap 0 as full', () => {
    expect(eligibility(target(1, { caps: [cap('Daily', null, 1e6)] }), ctx()).ok).toBe(true);
    expect(eligibility(target(1, { caps: [cap('Daily', 0, 0)] }), ctx())).toEqual({
      ok: false,
      reason: 'cap',
    });
  });

  it('refuses a target at its concurrency cap', () => {
    expect(eligibility(target(1, { concurrencyCap: 2, inProgress: 2 }), ctx())).toEqual({
      ok: false,
      reason: 'concurrency',
    });
    expect(eligibility(target(1, { concurrencyCap: 2, inProgress: 1 }), ctx()).ok).toBe(true);
    expect(eligibility(target(1, { concurrencyCap: null, inProgress: 50 }), ctx()).ok).toBe(true);
  });

  describe('tags', () => {
    const about = target(1, {
      tags: [tag('calling_about', 'support'), tag('calling_about', 'other'), tag('state', 'NY')],
    });

    it('a target without tags takes every call', () => {
      expect(eligibility(target(1), ctx({ callTags: { anything: 'x' } })).ok).toBe(true);
      expect(eligibility(target(1), ctx({ callTags: {} })).ok).toBe(true);
    });

    it('accepts any of the values of one key (OR within a key)', () => {
      expect(eligibility(about, ctx({ callTags: { calling_about: 'support', state: 'NY' } })).ok).toBe(true);
      expect(eligibility(about, ctx({ callTags: { calling_about: 'other', state: 'NY' } })).ok).toBe(true);
    });

    it('requires every key (AND across keys)', () => {
      expect(eligibility(about, ctx({ callTags: { calling_about: 'support' } }))).toEqual({
        ok: false,
        reason: 'tags',
      });
      expect(eligibility(about, ctx({ callTags: { calling_about: 'sales', state: 'NY' } }))).toEqual({
        ok: false,
        reason: 'tags',
      });
      expect(eligibility(about, ctx({ callTags: {} })).ok).toBe(false);
    });

    it('ignores call tags the target does not ask about', () => {
      const callTags = { calling_about: 'other', state: 'NY', source: 'tv' };
      expect(eligibility(about, ctx({ callTags })).ok).toBe(true);
    });

    it('compares exactly and does not match inherited object keys', () => {
      const t = target(1, { tags: [tag('constructor', 'x')] });
      expect(eligibility(t, ctx({ callTags: {} })).ok).toBe(false);
      expect(eligibility(about, ctx({ callTags: { calling_about: 'Support', state: 'NY' } })).ok).toBe(false);
    });

    it('reads != and numeric operators literally, and never matches an unknown operator', () => {
      const notTv = target(1, { tags: [tag('source', 'tv', '!=')] });
      expect(eligibility(notTv, ctx({ callTags: { source: 'radio' } })).ok).toBe(true);
      expect(eligibility(notTv, ctx({ callTags: { source: 'tv' } })).ok).toBe(false);
      const adult = target(1, { tags: [tag('age', '18', '>=')] });
      expect(eligibility(adult, ctx({ callTags: { age: '18' } })).ok).toBe(true);
      expect(eligibility(adult, ctx({ callTags: { age: '17' } })).ok).toBe(false);
      expect(eligibility(adult, ctx({ callTags: { age: 'old' } })).ok).toBe(false);
      const odd = target(1, { tags: [tag('a', 'b', '=~')] });
      expect(eligibility(odd, ctx({ callTags: { a: 'b' } })).ok).toBe(false);
    });
  });
});

describe('planRoute: candidates', () => {
  it('leaves out ineligible targets', () => {
    const entries = [T(target(1)), T(target(2, { paused: true })), T(target(3, { concurrencyCap: 0 }))];
    const steps = planRoute(entries, ctx());
    expect(labels(steps)).toEqual([1]);
    expect(steps[0].kind === 'single' && steps[0].group).toBeUndefined();
  });

  it('is empty when nothing is eligible', () => {
    expect(planRoute([T(target(1, { paused: true }))], ctx())).toEqual([]);
    expect(planRoute([], ctx())).toEqual([]);
  });

  it('dial separately (behavior 1): eligible members join as single steps that name the group', () => {
    const g = group(7, [target(1), target(2, { paused: true }), target(3)]);
    const steps = planRoute([G(g)], ctx());
    expect(labels(steps).sort()).toEqual([1, 3]);
    for (const s of steps) expect(s.kind === 'single' && s.group).toBe(g);
  });

  it("dial separately orders members by their own priority, not the group's", () => {
    const g = group(7, [target(1, { priority: 3 }), target(2, { priority: 1 })], { priority: 9 });
    const steps = planRoute([T(target(5, { priority: 2 })), G(g)], ctx());
    expect(labels(steps)).toEqual([2, 5, 1]);
  });

  it('simuldial (behavior 2): one step with every eligible member', () => {
    const g = group(7, [target(1), target(2, { paused: true }), target(3)], { behavior: 2 });
    expect(labels(planRoute([G(g)], ctx()))).toEqual(['g7:[1,3]']);
  });

  it('simuldial competes with the group priority and weight (null read as 1)', () => {
    const members = [target(1, { priority: 9 }), target(2, { priority: 9 })];
    const early = group(7, members, { behavior: 2, priority: 1 });
    const defaulted = group(8, [target(3, { priority: 9 })], { behavior: 2, priority: null });
    const steps = planRoute([T(target(5, { priority: 2 })), G(early), G(defaulted)], ctx());
    expect(labels(steps).slice(0, 2).sort()).toEqual(['g7:[1,2]', 'g8:[3]']);
    expect(labels(steps)[2]).toBe(5);
  });

  it('skips a simuldial group with no eligible member', () => {
    const g = group(7, [target(1, { paused: true })], { behavior: 2 });
    expect(planRoute([G(g), T(target(2))], ctx()).map((s) => s.kind)).toEqual(['single']);
  });

  for (const behavior of [1, 2] as const) {
    for (const type of ['Hard', 'Hourly', 'Daily', 'Monthly'] as const) {
      it(`skips a behavior ${behavior} group over its ${type} cap`, () => {
        const full = group(7, [target(1)], { behavior, caps: [cap(type, 10, 10)] });
        const room = group(8, [target(2)], { behavior, caps: [cap(type, 10, 9)] });
        expect(labels(planRoute([G(full), G(room)], ctx()))).toEqual([behavior === 1 ? 2 : 'g8:[2]']);
      });
    }

    it(`skips a behavior ${behavior} group at its concurrency cap`, () => {
      const busy = group(7, [target(1)], { behavior, concurrencyCap: 3, inProgress: 3 });
      const free = group(8, [target(2)], { behavior, concurrencyCap: 3, inProgress: 2 });
      expect(labels(planRoute([G(busy), G(free)], ctx()))).toEqual([behavior === 1 ? 2 : 'g8:[2]']);
    });
  }

  it('dials a target reachable directly and through a group once, at its first position', () => {
    const shared = target(1, { priority: 5 });
    const viaGroup = { ...shared, priority: 1 }; // same id, listed in a group with its own priority
    const g = group(7, [viaGroup, target(2, { priority: 3 })]);
    const steps = planRoute([T(shared), G(g)], ctx());
    expect(labels(steps)).toEqual([1, 2]);
    expect(steps[0].kind === 'single' && steps[0].group).toBe(g);
  });

  it('drops a target from a simuldial step when an earlier step already dials it', () => {
    const a = target(1, { priority: 1 });
    const g = group(7, [a, target(2)], { behavior: 2, priority: 2 });
    expect(labels(planRoute([G(g), T(a)], ctx()))).toEqual([1, 'g7:[2]']);
    const onlyA = group(8, [a], { behavior: 2, priority: 2 });
    expect(labels(planRoute([T(a), G(onlyA)], ctx()))).toEqual([1]);
  });

  it('leaves a later single step out when a simuldial step already dials its target', () => {
    const a = target(1, { priority: 4 });
    const g = group(7, [a, target(2)], { behavior: 2, priority: 1 });
    expect(labels(planRoute([T(a), G(g)], ctx()))).toEqual(['g7:[1,2]']);
  });

  it('uses only ctx.random: the same seed gives the same plan', () => {
    const entries = Array.from({ length: 30 }, (_, i) => T(target(i, { weight: 1 + (i % 4) })));
    const a = labels(planRoute(entries, ctx({ random: mulberry32(42) })));
    const b = labels(planRoute(entries, ctx({ random: mulberry32(42) })));
    const c = labels(planRoute(entries, ctx({ random: mulberry32(43) })));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect([...a].sort((x, y) => Number(x) - Number(y))).toEqual(entries.map((_, i) => i));
  });
});

describe('planRoute: order', () => {
  it('dials lower priority values first', () => {
    const entries = [
      T(target(1, { priority: 3 })),
      T(target(2, { priority: 1 })),
      T(target(3, { priority: 2 })),
    ];
    for (let seed = 0; seed < 20; seed++) {
      expect(labels(planRoute(entries, ctx({ random: mulberry32(seed) })))).toEqual([2, 3, 1]);
    }
  });

  it('puts weight-0 candidates after every positive weight of their level, before the next level', () => {
    const entries = [
      T(target(1, { weight: 0 })),
      T(target(2, { weight: 1 })),
      T(target(3, { weight: 0 })),
      T(target(4, { weight: 5 })),
      T(target(9, { priority: 2, weight: 100 })),
    ];
    for (let seed = 0; seed < 50; seed++) {
      const order = labels(planRoute(entries, ctx({ random: mulberry32(seed) })));
      expect(order.slice(0, 2).sort()).toEqual([2, 4]);
      expect(order.slice(2, 4).sort()).toEqual([1, 3]);
      expect(order[4]).toBe(9);
    }
  });

  it('dials a lone weight-0 candidate', () => {
    expect(labels(planRoute([T(target(1, { weight: 0 }))], ctx()))).toEqual([1]);
  });
});

describe('planRoute: weighted shuffle (statistical, seeded)', () => {
  const DRAWS = 20_000;
  // 4.5 standard deviations of a frequency near 0.5 over 20,000 draws is about 0.016.
  const TOLERANCE = 0.016;

  /** How often each plan (as a label string) comes out over DRAWS calls on one seeded stream. */
  function frequencies(entries: RoutingEntry[], key: (plan: DialStep[]) => string, seed = 7) {
    const random = mulberry32(seed);
    const counts = new Map<string, number>();
    for (let i = 0; i < DRAWS; i++) {
      const k = key(planRoute(entries, ctx({ random })));
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return (k: string) => (counts.get(k) ?? 0) / DRAWS;
  }
  const first = (plan: DialStep[]) => String(labels(plan)[0]);
  const whole = (plan: DialStep[]) => labels(plan).join(',');
  const worstError = (observed: (k: string) => number, expected: Record<string, number>) =>
    Math.max(...Object.entries(expected).map(([k, p]) => Math.abs(observed(k) - p)));

  it('comes first with chance weight / sum of weights, and a uniform draw would fail the test', () => {
    const weights = [1, 2, 3, 4];
    const entries = weights.map((w, i) => T(target(i + 1, { weight: w })));
    const observed = frequencies(entries, first);
    expect(worstError(observed, { 1: 0.1, 2: 0.2, 3: 0.3, 4: 0.4 })).toBeLessThan(TOLERANCE);
    expect(worstError(observed, { 1: 0.25, 2: 0.25, 3: 0.25, 4: 0.25 })).toBeGreaterThan(TOLERANCE);
  });

  it('is uniform when weights are equal, and a weighted expectation would fail the test', () => {
    const entries = [1, 2, 3, 4].map((id) => T(target(id, { weight: 5 })));
    const observed = frequencies(entries, first);
    expect(worstError(observed, { 1: 0.25, 2: 0.25, 3: 0.25, 4: 0.25 })).toBeLessThan(TOLERANCE);
    expect(worstError(observed, { 1: 0.1, 2: 0.2, 3: 0.3, 4: 0.4 })).toBeGreaterThan(TOLERANCE);
  });

  it('orders the rest as repeated draws without replacement (whole-order frequencies)', () => {
    // Weights A=1, B=1, C=2: P(C,A,B) = 2/4 · 1/2, P(A,C,B) = 1/4 · 2/3, P(A,B,C) = 1/4 · 1/3, …
    const entries = [T(target(1)), T(target(2)), T(target(3, { weight: 2 }))];
    const observed = frequencies(entries, whole);
    const expected = {
      '3,1,2': 1 / 4,
      '3,2,1': 1 / 4,
      '1,3,2': 1 / 6,
      '2,3,1': 1 / 6,
      '1,2,3': 1 / 12,
      '2,1,3': 1 / 12,
    };
    expect(worstError(observed, expected)).toBeLessThan(TOLERANCE);
    // A shuffle that only weighted the first pick and then went uniformly would give 1/8 where
    // 1/6 is expected; make sure the tolerance can tell.
    expect(Math.abs(1 / 6 - 1 / 8)).toBeGreaterThan(TOLERANCE * 2);
  });

  it('weighs a simuldial group with the group weight against single targets', () => {
    const g = group(7, [target(1), target(2)], { behavior: 2, weight: 3 });
    const entries = [G(g), T(target(5, { weight: 1 }))];
    const observed = frequencies(entries, first);
    expect(worstError(observed, { 'g7:[1,2]': 0.75, 5: 0.25 })).toBeLessThan(TOLERANCE);
  });

  it('orders weight-0 candidates uniformly among themselves, after the positive weights', () => {
    const entries = [
      T(target(1, { weight: 0 })),
      T(target(2, { weight: 0 })),
      T(target(3, { weight: 2 })),
      T(target(4)),
    ];
    const observed = frequencies(entries, (plan) => labels(plan).slice(2).join(','));
    expect(worstError(observed, { '1,2': 0.5, '2,1': 0.5 })).toBeLessThan(TOLERANCE);
  });

  it('keeps every candidate of a large level exactly once, with its weighted chance of coming first', () => {
    // 4,097 candidates: positions need 13 bits, just past a power of two.
    const entries = Array.from({ length: 4_097 }, (_, i) => T(target(i + 1, { weight: 1 + (i % 3) })));
    entries.push(T(target(9_999, { weight: 8_193 }))); // as much as all the others together
    const random = mulberry32(5);
    let heavyFirst = 0;
    for (let i = 0; i < 1_000; i++) {
      const plan = labels(planRoute(entries, ctx({ random })));
      if (i === 0) expect(new Set(plan).size).toBe(entries.length);
      if (plan[0] === 9_999) heavyFirst++;
    }
    expect(Math.abs(heavyFirst / 1_000 - 0.5)).toBeLessThan(0.06);
  });

  it('weighs dial-separately members by their own weights', () => {
    const g = group(7, [target(1, { weight: 9 }), target(2, { weight: 1 })], { weight: 1000 });
    const observed = frequencies([G(g)], first);
    expect(worstError(observed, { 1: 0.9, 2: 0.1 })).toBeLessThan(TOLERANCE);
  });
});
