import { describe, expect, it } from 'vitest';
import { planRoute, type RoutableGroup, type RoutableTarget } from '../../src/domain/routing.js';
import { explainRoute } from '../../src/domain/routing-explain.js';

const NOW = Date.UTC(2025, 0, 6, 15, 0, 0); // a Monday, 10:00 in New York
const ctx = { now: NOW, callTags: { tier: 'silver' }, random: () => 0.5 };

function target(id: number, attrs: Partial<RoutableTarget> = {}): RoutableTarget {
  return {
    id,
    number: `+1415555000${id}`,
    priority: 1,
    weight: 1,
    timeoutSeconds: 30,
    paused: false,
    zone: 'America/New_York',
    businessHours: [],
    caps: [],
    concurrencyCap: null,
    inProgress: 0,
    tags: [],
    ...attrs,
  };
}

describe('explainRoute', () => {
  it('gives each skipped target its reason and how full its cap or concurrency is', () => {
    const out = explainRoute(
      [
        { kind: 'target', target: target(1) },
        { kind: 'target', target: target(2, { paused: true }) },
        {
          kind: 'target',
          target: target(3, {
            caps: [
              { type: 'Daily', cap: 5, filled: 5 },
              { type: 'Hard', cap: 10, filled: 2 },
            ],
          }),
        },
        { kind: 'target', target: target(4, { concurrencyCap: 2, inProgress: 2 }) },
        { kind: 'target', target: target(5, { tags: [{ key: 'tier', operator: '==', value: 'gold' }] }) },
        { kind: 'target', target: target(6) },
      ],
      ctx,
      new Set([6]),
    );
    expect(out.map((c) => [c.id, c.eligible, c.reason ?? null])).toEqual([
      [1, true, null],
      [2, false, 'paused'],
      [3, false, 'cap'],
      [4, false, 'concurrency'],
      [5, false, 'tags not matched'],
      [6, false, 'already tried'],
    ]);
    expect(out[2].detail).toEqual({ caps: [{ type: 'Daily', cap: 5, filled: 5 }] });
    expect(out[3].detail).toEqual({ in_progress: 2, concurrency_cap: 2 });
    expect(out[4].detail).toEqual({ wants: ['tier==gold'] });
  });

  it('says out of hours with the zone, and explains a full group and its members', () => {
    const closed = target(7, {
      // Monday 17:00–18:00 only: closed at 10:00.
      businessHours: [{ dayOfWeek: 1, timeOpen: 1700, timeClose: 1800, workDay: true, invert: false }],
    });
    const group: RoutableGroup = {
      id: 9,
      behavior: 2,
      priority: 1,
      weight: 1,
      caps: [],
      concurrencyCap: 1,
      inProgress: 1,
      members: [target(8)],
    };
    const out = explainRoute(
      [
        { kind: 'target', target: closed },
        { kind: 'group', group },
      ],
      ctx,
    );
    expect(out[1]).toMatchObject({ kind: 'group', id: 9, eligible: false, reason: 'concurrency' });
    expect(out[1].members?.[0]).toMatchObject({ id: 8, eligible: true });
    expect(out[0]).toMatchObject({
      eligible: false,
      reason: 'out of hours',
      detail: { time_zone: 'America/New_York' },
    });
  });

  it('with the plan: a target named twice is dialled once, its other mention skipped as already tried', () => {
    const shared = target(1, { priority: 2 });
    const group: RoutableGroup = {
      id: 9,
      behavior: 1,
      priority: null,
      weight: null,
      caps: [],
      concurrencyCap: null,
      inProgress: 0,
      members: [target(1, { priority: 1 }), target(2)],
    };
    const entries = [
      { kind: 'target' as const, target: shared },
      { kind: 'group' as const, group },
    ];
    const plan = planRoute(entries, ctx);
    // The group's member (priority 1) comes first, so the plan dials target 1 there.
    expect(plan.map((s) => (s.kind === 'single' ? [s.target.id, s.group?.id ?? null] : null))).toEqual([
      [1, 9],
      [2, 9],
    ]);
    const out = explainRoute(entries, ctx, undefined, plan);
    expect(out[0]).toMatchObject({
      id: 1,
      eligible: false,
      reason: 'already tried',
      detail: { dialled_in: 9 },
    });
    expect(out[1].members?.map((m) => [m.id, m.eligible])).toEqual([
      [1, true],
      [2, true],
    ]);
    // Without the plan each mention is judged alone.
    expect(explainRoute(entries, ctx)[0].eligible).toBe(true);
  });
});
