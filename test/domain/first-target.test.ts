import { describe, expect, it } from 'vitest';
import { firstTarget, planRoute, type RoutableTarget, type RoutingEntry } from '../../src/domain/routing.js';

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

const ctx = (random: () => number) => ({ now: Date.parse('2024-01-08T12:00:00Z'), callTags: {}, random });

describe('firstTarget (what a real-time bid offers)', () => {
  it("has the law of planRoute's first step: lowest level, chance weight / sum", () => {
    const entries: RoutingEntry[] = [
      { kind: 'target', target: target(1, { priority: 2, weight: 100 }) },
      { kind: 'target', target: target(2, { weight: 1 }) },
      { kind: 'target', target: target(3, { weight: 3 }) },
    ];
    const random = mulberry32(7);
    const first = new Map<number, number>();
    const planned = new Map<number, number>();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const id = firstTarget(entries, ctx(random))!;
      first.set(id, (first.get(id) ?? 0) + 1);
      const step = planRoute(entries, ctx(random))[0];
      const pid = step.kind === 'single' ? step.target.id : -1;
      planned.set(pid, (planned.get(pid) ?? 0) + 1);
    }
    expect(first.get(1)).toBeUndefined();
    expect((first.get(3) ?? 0) / n).toBeCloseTo(0.75, 1);
    expect((planned.get(3) ?? 0) / n).toBeCloseTo(0.75, 1);
  });

  it('reads live counts from the context and never writes them into the (cached) entries', () => {
    const busy = target(1, { concurrencyCap: 1, inProgress: 0 });
    const free = target(2, { priority: 2 });
    const entries: RoutingEntry[] = [
      { kind: 'target', target: busy },
      { kind: 'target', target: free },
    ];
    const live = (owner: string, id: number) => (owner === 'target' && id === 1 ? 1 : 0);
    expect(firstTarget(entries, { ...ctx(Math.random), inProgress: live })).toBe(2);
    expect(busy.inProgress).toBe(0);
    expect(firstTarget(entries, ctx(Math.random))).toBe(1);
  });

  it('is null when nobody is eligible', () => {
    expect(
      firstTarget([{ kind: 'target', target: target(1, { paused: true }) }], ctx(Math.random)),
    ).toBeNull();
  });
});
