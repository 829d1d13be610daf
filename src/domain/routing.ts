import { type BusinessHour, isOpen } from './business-hours.js';

/**
 * The routing decision, as pure functions: given a campaign's routing list (targets and target
 * groups, with their live counters already read) and the call, which legs to dial in which order.
 * The engine dials the steps in turn until one answers.
 */

export interface CapState {
  type: 'Hard' | 'Hourly' | 'Daily' | 'Monthly';
  cap: number | null;
  filled: number;
}

export interface RoutableTarget {
  id: number;
  number: string;
  priority: number;
  weight: number;
  timeoutSeconds: number;
  paused: boolean;
  zone: string; // IANA
  businessHours: BusinessHour[];
  caps: CapState[];
  concurrencyCap: number | null;
  inProgress: number;
  tags: { key: string; value: string; operator: string }[];
}

export interface RoutableGroup {
  id: number;
  behavior: 1 | 2; // 1 = dial separately, 2 = simuldial
  priority: number | null;
  weight: number | null;
  caps: CapState[];
  concurrencyCap: number | null;
  inProgress: number;
  members: RoutableTarget[];
}

export type RoutingEntry =
  | { kind: 'target'; target: RoutableTarget }
  | { kind: 'group'; group: RoutableGroup };

export type DialStep =
  | { kind: 'single'; target: RoutableTarget; group?: RoutableGroup }
  | { kind: 'simul'; group: RoutableGroup; targets: RoutableTarget[] };

export interface RouteContext {
  now: number;
  callTags: Record<string, string>;
  random: () => number; // [0, 1)
  /**
   * Live call counts read now, for entries read earlier (a cache): used instead of the entries' own
   * `inProgress`, so cached entries are only read, never written.
   */
  inProgress?: (owner: 'target' | 'target_group', id: number) => number;
}

export type Eligibility =
  | { ok: true }
  | { ok: false; reason: 'paused' | 'closed' | 'cap' | 'concurrency' | 'tags' };

const OK: Eligibility = { ok: true };
const NO: Record<Exclude<Eligibility, { ok: true }>['reason'], Eligibility> = {
  paused: { ok: false, reason: 'paused' },
  closed: { ok: false, reason: 'closed' },
  cap: { ok: false, reason: 'cap' },
  concurrency: { ok: false, reason: 'concurrency' },
  tags: { ok: false, reason: 'tags' },
};

/** A cap of 0 is full from the start; null means no cap. */
export function anyCapFull(caps: readonly CapState[]): boolean {
  for (const c of caps) if (c.cap !== null && c.filled >= c.cap) return true;
  return false;
}

export function atConcurrencyCap(cap: number | null, inProgress: number): boolean {
  return cap !== null && inProgress >= cap;
}

/**
 * Whether the call's value for a key satisfies one target tag. The seed only shows `==`; `!=`
 * and numeric comparisons are read literally. An unknown operator never matches, so a typo
 * narrows a target rather than opening it to every call.
 */
function tagMatches(operator: string, want: string, got: string): boolean {
  switch (operator) {
    case '==':
    case '':
      return got === want;
    case '!=':
      return got !== want;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compareNumbers(operator, Number(got), Number(want));
    default:
      return false;
  }
}

function compareNumbers(operator: string, got: number, want: number): boolean {
  if (Number.isNaN(got) || Number.isNaN(want)) return false;
  if (operator === '<') return got < want;
  if (operator === '<=') return got <= want;
  if (operator === '>') return got > want;
  return got >= want;
}

/**
 * A target without tags takes every call. Otherwise every key on the target must be satisfied by
 * the call (AND across keys) by at least one of the target's values for that key (OR within a
 * key). Walks the small tag list in place instead of grouping it, to allocate nothing per call.
 */
export function tagsAccept(tags: RoutableTarget['tags'], callTags: Record<string, string>): boolean {
  for (let i = 0; i < tags.length; i++) {
    const key = tags[i].key;
    if (keySeenBefore(tags, i)) continue;
    if (!Object.hasOwn(callTags, key)) return false;
    const got = callTags[key];
    let satisfied = false;
    for (let j = i; j < tags.length && !satisfied; j++) {
      const t = tags[j];
      satisfied = t.key === key && tagMatches(t.operator, t.value, got);
    }
    if (!satisfied) return false;
  }
  return true;
}

function keySeenBefore(tags: RoutableTarget['tags'], i: number): boolean {
  for (let j = 0; j < i; j++) if (tags[j].key === tags[i].key) return true;
  return false;
}

/**
 * Why a target can or cannot take this call. Rules run cheapest first (business hours need the
 * zone's wall clock), so when several fail the reason is the first of: paused, cap, concurrency,
 * tags, closed.
 */
export function eligibility(target: RoutableTarget, ctx: RouteContext): Eligibility {
  if (target.paused) return NO.paused;
  if (anyCapFull(target.caps)) return NO.cap;
  // Live counts only matter under a cap; reading them can cost (a lookup per target per call).
  if (target.concurrencyCap !== null) {
    const live = ctx.inProgress ? ctx.inProgress('target', target.id) : target.inProgress;
    if (atConcurrencyCap(target.concurrencyCap, live)) return NO.concurrency;
  }
  if (!tagsAccept(target.tags, ctx.callTags)) return NO.tags;
  if (!isOpen(target.businessHours, target.zone, ctx.now)) return NO.closed;
  return OK;
}

function groupAvailable(group: RoutableGroup, ctx: RouteContext): boolean {
  if (anyCapFull(group.caps)) return false;
  if (group.concurrencyCap === null) return true;
  const live = ctx.inProgress ? ctx.inProgress('target_group', group.id) : group.inProgress;
  return !atConcurrencyCap(group.concurrencyCap, live);
}

/**
 * What one call may dial, before ordering: the steps, plus (in parallel arrays) what ordering and
 * de-duplication read, so those passes never go back to the target objects, scattered in memory,
 * which is what dominates the profile for a list of thousands.
 */
interface Candidates {
  steps: DialStep[];
  /** The single step's target id (NaN for simuldial), so de-duplicating need not revisit targets. */
  ids: number[];
  priorities: number[];
  weights: number[];
}

function addCandidate(c: Candidates, step: DialStep, priority: number, weight: number): void {
  c.steps.push(step);
  c.ids.push(step.kind === 'single' ? step.target.id : Number.NaN);
  c.priorities.push(priority);
  c.weights.push(weight);
}

/** One candidate per eligible target (direct or dial-separately member), one per simuldial group. */
function collectCandidates(entries: readonly RoutingEntry[], ctx: RouteContext): Candidates {
  const c: Candidates = { steps: [], ids: [], priorities: [], weights: [] };
  for (const entry of entries) {
    if (entry.kind === 'target') {
      const t = entry.target;
      if (eligibility(t, ctx).ok) addCandidate(c, single(t, undefined), t.priority, t.weight);
      continue;
    }
    const g = entry.group;
    if (!groupAvailable(g, ctx)) continue;
    if (g.behavior === 2) {
      const targets = g.members.filter((m) => eligibility(m, ctx).ok);
      if (targets.length > 0)
        addCandidate(c, { kind: 'simul', group: g, targets }, g.priority ?? 1, g.weight ?? 1);
      continue;
    }
    for (const m of g.members) {
      if (eligibility(m, ctx).ok) addCandidate(c, single(m, g), m.priority, m.weight);
    }
  }
  return c;
}

/** `group` is always present (undefined for a direct target) so every single step has one shape. */
function single(target: RoutableTarget, group: RoutableGroup | undefined): DialStep {
  return { kind: 'single', target, group };
}

/**
 * Ascending priority; inside a level, a weighted random permutation equal in law to drawing
 * without replacement with chance weight / (sum of weights left). A candidate's chance of being
 * first in its level is weight / sum of the level's weights. Weight 0 (or negative, or not a
 * number) never beats a positive weight: such candidates follow the positive ones in their level,
 * in uniform random order among themselves. Returns indexes into the candidates.
 */
function orderCandidates(c: Candidates, random: () => number): number[] {
  const levels = new Map<number, number[]>();
  for (let i = 0; i < c.priorities.length; i++) {
    const level = levels.get(c.priorities[i]);
    if (level === undefined) levels.set(c.priorities[i], [i]);
    else level.push(i);
  }
  const priorities = [...levels.keys()].sort((a, b) => a - b);
  const order: number[] = [];
  for (const p of priorities) appendLevel(levels.get(p)!, c.weights, random, order);
  return order;
}

function appendLevel(level: number[], weights: readonly number[], random: () => number, out: number[]): void {
  const weighted: number[] = [];
  const weightless: number[] = [];
  for (const i of level) (weights[i] > 0 ? weighted : weightless).push(i);
  if (allSameWeight(weighted, weights)) shuffleUniform(weighted, random);
  else shuffleWeighted(weighted, weights, random);
  shuffleUniform(weightless, random);
  for (const i of weighted) out.push(i);
  for (const i of weightless) out.push(i);
}

function allSameWeight(level: readonly number[], weights: readonly number[]): boolean {
  for (let i = 1; i < level.length; i++) if (weights[level[i]] !== weights[level[0]]) return false;
  return true;
}

/** Fisher–Yates: with equal weights the weighted draw is a uniform permutation, at O(n). */
function shuffleUniform(items: number[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
}

/**
 * Weighted draw without replacement in O(n log n) rather than O(n²): each candidate draws an
 * exponential "arrival time" -log(u) / weight for a uniform u, and the earliest goes first. This
 * is the Efraimidis–Spirakis key u^(1/weight) read on a log scale, so the chance of coming first
 * is weight / sum, and the rest follow as repeated draws from what is left.
 */
function shuffleWeighted(items: number[], weights: readonly number[], random: () => number): void {
  const times = new Float64Array(items.length);
  const words = new Uint32Array(times.buffer);
  // A sort with a comparator costs more than the rest of routing together. Instead each position
  // replaces the lowest mantissa bits of its (non-negative) time, just as many bits as positions
  // need (12 for 4,000 candidates, never more than the 32 of the low word: arrays are shorter), so
  // the built-in numeric sort keeps the order, to 2^-(52 - bits) relative, and carries the position.
  const mask = 2 ** (32 - Math.clz32(items.length - 1)) - 1;
  for (let i = 0; i < items.length; i++) {
    times[i] = Math.abs(Math.log(1 - random())) / weights[items[i]]; // abs: no -0, which sorts first
    const low = 2 * i + LOW_WORD;
    words[low] = ((words[low] & ~mask) | i) >>> 0;
  }
  times.sort();
  const copy = items.slice();
  for (let i = 0; i < items.length; i++) items[i] = copy[(words[2 * i + LOW_WORD] & mask) >>> 0];
}

/** Index of the 32-bit word holding a Float64's low mantissa bits (0 on little-endian machines). */
const LOW_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;

/**
 * The steps in the given order, each target at most once: a target reachable both directly and
 * through a group is dialed at its first position in the final order. A simuldial step loses the
 * members dialed before it and disappears if none are left.
 */
function dialEachTargetOnce(c: Candidates, order: readonly number[]): DialStep[] {
  const dialed = new Set<number>();
  const out: DialStep[] = [];
  for (const i of order) {
    const step = c.steps[i];
    if (step.kind === 'single') {
      if (dialed.has(c.ids[i])) continue;
      dialed.add(c.ids[i]);
      out.push(step);
      continue;
    }
    const fresh = step.targets.filter((t) => !dialed.has(t.id));
    if (fresh.length === 0) continue;
    for (const t of fresh) dialed.add(t.id);
    out.push(fresh.length === step.targets.length ? step : { ...step, targets: fresh });
  }
  return out;
}

/**
 * The dial plan for one call: eligible candidates in ascending priority, each priority level in a
 * weighted random order, every target at most once.
 */
export function planRoute(entries: readonly RoutingEntry[], ctx: RouteContext): DialStep[] {
  const candidates = collectCandidates(entries, ctx);
  return dialEachTargetOnce(candidates, orderCandidates(candidates, ctx.random));
}

/**
 * The target planRoute would dial first (for a simuldial step, its first member), without ordering the
 * whole plan: the same candidates and eligibility, the lowest priority level that has an eligible one
 * (levels above it are never checked), one drawn with chance weight / sum of the level's positive
 * weights (uniformly when none is positive) — the law of planRoute's first step. A real-time bid asks
 * this: which buyer would take the call now.
 *
 * Every ping runs it over the whole list (1,000 targets in bench/rtb), so it allocates nothing per
 * candidate: each pass walks the list for one priority level, lowest first (lists hold few levels),
 * and keeps the level's eligible candidates in two arrays reused from call to call.
 */
export function firstTarget(entries: readonly RoutingEntry[], ctx: RouteContext): number | null {
  let level = Number.NEGATIVE_INFINITY;
  for (;;) {
    level = nextLevel(entries, level);
    if (level === Number.POSITIVE_INFINITY) return null;
    scratchIds.length = 0;
    scratchWeights.length = 0;
    for (const e of entries) {
      if (e.kind === 'target') {
        const t = e.target;
        if (t.priority === level && eligibility(t, ctx).ok) keep(t.id, t.weight);
        continue;
      }
      const g = e.group;
      if (g.behavior === 2) {
        if ((g.priority ?? 1) !== level || !groupAvailable(g, ctx)) continue;
        for (const m of g.members) {
          if (eligibility(m, ctx).ok) {
            keep(m.id, g.weight ?? 1);
            break;
          }
        }
        continue;
      }
      for (const m of g.members) {
        if (m.priority === level && groupAvailable(g, ctx) && eligibility(m, ctx).ok) keep(m.id, m.weight);
      }
    }
    if (scratchIds.length) return drawOne(scratchIds, scratchWeights, ctx.random);
  }
}

const scratchIds: number[] = [];
const scratchWeights: number[] = [];

function keep(id: number, weight: number): void {
  scratchIds.push(id);
  scratchWeights.push(weight);
}

/** The lowest candidate priority above `after` (+Infinity when there is none). */
function nextLevel(entries: readonly RoutingEntry[], after: number): number {
  let best = Number.POSITIVE_INFINITY;
  const consider = (p: number) => {
    if (p > after && p < best) best = p;
  };
  for (const e of entries) {
    if (e.kind === 'target') consider(e.target.priority);
    else if (e.group.behavior === 2) consider(e.group.priority ?? 1);
    else for (const m of e.group.members) consider(m.priority);
  }
  return best;
}

/** One id, with chance weight / sum of the positive weights; uniformly when none is positive. */
function drawOne(ids: readonly number[], weights: readonly number[], random: () => number): number {
  let sum = 0;
  let last = -1;
  for (let i = 0; i < ids.length; i++) {
    if (weights[i] > 0) {
      sum += weights[i];
      last = i;
    }
  }
  if (last === -1) return ids[Math.floor(random() * ids.length)];
  let x = random() * sum;
  for (let i = 0; i < ids.length; i++) {
    if (!(weights[i] > 0)) continue;
    x -= weights[i];
    if (x < 0) return ids[i];
  }
  return ids[last];
}
