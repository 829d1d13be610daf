import { describe, expect, it } from 'vitest';
import type { BusinessHour } from '../../src/domain/business-hours.js';
import {
  type CapState,
  firstTarget,
  planRoute,
  type RoutableGroup,
  type RoutableTarget,
  type RouteContext,
  type RoutingEntry,
} from '../../src/domain/routing.js';
import * as reference from './fixtures/routing-reference.js';

/**
 * The compiled routing (per-target tables, shared tag clauses and hours) must decide exactly as the
 * version before it: same plan, same first target, same live-count look-ups, for the same random
 * stream. Random lists mix what the tables de-duplicate: shared and repeated targets, two objects
 * for one id, repeated tag lists and hours in several zones, odd operators, full caps, live counts.
 */

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

const ZONES = ['Etc/UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney', 'Not/AZone'];
const KEYS = ['about', 'state', 'score'];
const VALUES = ['a', 'b', 'c', '5', '10'];
const OPERATORS = ['==', '==', '', '!=', '<', '>=', '~'];

function randomList(seed: number): RoutingEntry[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const chance = (p: number) => rand() < p;
  const hours = (): BusinessHour[] =>
    chance(0.5)
      ? []
      : Array.from({ length: 1 + Math.floor(rand() * 8) }, () => ({
          dayOfWeek: Math.floor(rand() * 7),
          workDay: chance(0.85),
          timeOpen: pick([0, 600, 900, 1300, 2200]),
          timeClose: pick([600, 1200, 1700, 2200, 2400]),
          invert: chance(0.2),
        }));
  const caps = (): CapState[] =>
    chance(0.6) ? [] : [{ type: 'Daily', cap: pick([null, 0, 5, 10]), filled: Math.floor(rand() * 12) }];
  const tags = (): RoutableTarget['tags'] =>
    chance(0.5)
      ? []
      : Array.from({ length: 1 + Math.floor(rand() * 4) }, () => ({
          key: pick(KEYS),
          value: pick(VALUES),
          operator: pick(OPERATORS),
        }));
  const target = (id: number): RoutableTarget => {
    const concurrencyCap = chance(0.4) ? Math.floor(rand() * 3) : null;
    return {
      id,
      number: `+1555${id}`,
      priority: 1 + Math.floor(rand() * 3),
      weight: pick([0, 1, 1, 2, 5, -1, Number.NaN]),
      timeoutSeconds: 30,
      paused: chance(0.1),
      zone: pick(ZONES),
      businessHours: hours(),
      caps: caps(),
      concurrencyCap,
      inProgress: Math.floor(rand() * 3),
      tags: tags(),
    };
  };
  const pool = Array.from({ length: 5 + Math.floor(rand() * 30) }, (_, i) => target(i + 1));
  // A second object for an id already in the pool, with its own facts.
  for (let i = 0; i < 3; i++) pool.push(target(pick(pool).id));
  const group = (id: number): RoutableGroup => ({
    id,
    behavior: chance(0.5) ? 2 : 1,
    priority: chance(0.3) ? null : 1 + Math.floor(rand() * 3),
    weight: chance(0.3) ? null : pick([0, 1, 3]),
    caps: caps(),
    concurrencyCap: chance(0.3) ? Math.floor(rand() * 3) : null,
    inProgress: Math.floor(rand() * 3),
    members: Array.from({ length: Math.floor(rand() * 6) }, () => pick(pool)),
  });
  return Array.from({ length: 1 + Math.floor(rand() * 40) }, (_, i) =>
    chance(0.75) ? { kind: 'target', target: pick(pool) } : { kind: 'group', group: group(i + 1) },
  );
}

function randomCalls(seed: number, n: number): Omit<RouteContext, 'random'>[] {
  const rand = mulberry32(seed);
  let now = Date.parse('2024-03-09T20:00:00Z'); // crosses a weekend and a DST change (US, Mar 10)
  return Array.from({ length: n }, () => {
    now += Math.floor(rand() * 3 * 3_600_000);
    const callTags: Record<string, string> = {};
    for (const key of KEYS) if (rand() < 0.6) callTags[key] = VALUES[Math.floor(rand() * VALUES.length)];
    return { now, callTags };
  });
}

/** Live counts that change per call, and the look-ups made, so both versions are seen asking the same. */
function liveCounts(seed: number, asked: string[]): RouteContext['inProgress'] {
  const rand = mulberry32(seed);
  return (owner, id) => {
    asked.push(`${owner}:${id}`);
    return Math.floor(rand() * 3);
  };
}

const ctxAt = (seed: number, randomSeed: number): RouteContext => ({
  ...randomCalls(seed, 1)[0],
  random: mulberry32(randomSeed),
});

describe('compiled routing against the reference', () => {
  it('plans the same dial steps for every call, list after list', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const entries = randomList(seed);
      for (const [k, call] of randomCalls(seed, 6).entries()) {
        const live = k % 2 === 0;
        const [askedNew, askedOld]: string[][] = [[], []];
        const got = planRoute(entries, {
          ...call,
          random: mulberry32(seed * 10 + k),
          inProgress: live ? liveCounts(k, askedNew) : undefined,
        });
        const want = reference.planRoute(entries, {
          ...call,
          random: mulberry32(seed * 10 + k),
          inProgress: live ? liveCounts(k, askedOld) : undefined,
        });
        expect(got, `list ${seed}, call ${k}`).toEqual(want);
        expect(askedNew).toEqual(askedOld);
      }
    }
  });

  it('draws the same first target', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const entries = randomList(seed);
      for (const [k, call] of randomCalls(seed + 1000, 6).entries()) {
        const ctx = (random: () => number) => ({ ...call, random });
        expect(firstTarget(entries, ctx(mulberry32(k))), `list ${seed}, call ${k}`).toBe(
          reference.firstTarget(entries, ctx(mulberry32(k))),
        );
      }
    }
  });

  it('can tell two plans apart (the comparison is not vacuous)', () => {
    // A list whose plan is long enough that another random stream orders it differently.
    const seed = [...Array(100).keys()].find((s) => planRoute(randomList(s), ctxAt(s, 1)).length >= 5)!;
    const entries = randomList(seed);
    const order = (r: number) =>
      planRoute(entries, ctxAt(seed, r)).map((s) => (s.kind === 'single' ? s.target.id : -s.group.id));
    const orders = new Set([...Array(20).keys()].map((r) => order(r).join()));
    expect(orders.size).toBeGreaterThan(1);
  });
});
