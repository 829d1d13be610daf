import { type BusinessHour, isOpen, isOpenAt, type LocalTime, localTime } from './business-hours.js';
import { type LevelScratch, levelScratch, orderLevel } from './routing-order.js';
import { type TargetVariants, variantNumbering } from './routing-variants.js';

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

/** Whether a group's live count leaves room (its caps a compiled list reads once: `groupCapFull`). */
function groupLive(group: RoutableGroup, ctx: RouteContext): boolean {
  if (group.concurrencyCap === null) return true;
  const live = ctx.inProgress ? ctx.inProgress('target_group', group.id) : group.inProgress;
  return !atConcurrencyCap(group.concurrencyCap, live);
}

/**
 * A routing list compiled for repeated decisions: its candidates (a direct target, a dial-separately
 * member, a simuldial group) in flat arrays grouped by priority level, their single dial steps built
 * once, each target's place in a dense numbering (de-duplication marks an array instead of a Set) and
 * its zone's place in the list's zones (a call reads each zone's wall clock once, not once per target),
 * and what does not change between calls: paused, a cap full (a target's or a group's), each target's
 * concurrency cap, tag list and hours as numbers (routing-variants.ts). Compiled on a list's first
 * decision and kept while the list lives (a WeakMap), so a list must not be changed in place once routed — a cache
 * that re-counts caps in place calls `forgetCompiledRoutes` (src/store/routing-inputs.ts does).
 */
interface CompiledList {
  targets: (RoutableTarget | undefined)[];
  groups: (RoutableGroup | undefined)[];
  singles: (DialStep | undefined)[];
  weights: Float64Array;
  /** Dense number of a single's target; -1 for a simuldial group. */
  dense: Int32Array;
  /** The candidate's group's number (-1: a direct target). */
  groupOf: Int32Array;
  /** A single's target object's variant number; -1 for a simuldial group. */
  variantOf: Int32Array;
  /** What does not change between calls, per target object ("variant"; see TargetVariants). */
  variants: TargetVariants<RoutableTarget>;
  zones: string[];
  groupList: RoutableGroup[];
  /** 1: a cap of the group is full (caps change only with a new list, or forgetCompiledRoutes). */
  groupCapFull: Uint8Array;
  /** Simuldial candidates: their members' dense numbers and variant numbers. */
  memberDense: (Int32Array | undefined)[];
  memberVariants: (Int32Array | undefined)[];
  /** Candidate indexes per priority level, levels ascending, entry order inside a level. */
  levels: Int32Array[];
  /** Per-call scratch, stamped with the call's number. */
  call: number;
  dialed: Int32Array;
  zoneStamp: Int32Array;
  zoneTime: LocalTime[];
  /** A tag set's / an hours schedule's verdict for this call, by its number. */
  tagStamp: Int32Array;
  tagVerdict: Uint8Array;
  clauseStamp: Int32Array;
  clauseVerdict: Uint8Array;
  hoursStamp: Int32Array;
  hoursVerdict: Uint8Array;
  groupStamp: Int32Array;
  groupOk: Uint8Array;
  /** This call's simuldial steps, by candidate (their eligible members differ per call). */
  simulSteps: (DialStep | undefined)[];
  /** Where a level is ordered (routing-order.ts). */
  scratch: LevelScratch;
  /** A target's verdict for this call, by dense number (a target in several groups is checked once). */
  targetStamp: Int32Array;
  targetVerdict: Uint8Array;
}

const compiledLists = new WeakMap<readonly RoutingEntry[], CompiledList>();

/** Drops a list's compiled form: its objects were changed in place (caps re-counted). */
export function forgetCompiledRoutes(entries: readonly RoutingEntry[]): void {
  compiledLists.delete(entries);
}

function compiled(entries: readonly RoutingEntry[]): CompiledList {
  let c = compiledLists.get(entries);
  if (!c) {
    c = compile(entries);
    compiledLists.set(entries, c);
  }
  return c;
}

function compile(entries: readonly RoutingEntry[]): CompiledList {
  const targets: (RoutableTarget | undefined)[] = [];
  const groups: (RoutableGroup | undefined)[] = [];
  const singles: (DialStep | undefined)[] = [];
  const weights: number[] = [];
  const priorities: number[] = [];
  const denseOf = new Map<number, number>();
  const zoneIndex = new Map<string, number>();
  const groupIndex = new Map<RoutableGroup, number>();
  const dense: number[] = [];
  const groupOf: number[] = [];
  const variantOf: number[] = [];
  const memberDense: (Int32Array | undefined)[] = [];
  const memberVariants: (Int32Array | undefined)[] = [];
  /** The number `key` has in `map`, numbering it next when new. */
  const numberOf = <K>(map: Map<K, number>, key: K) => {
    const known = map.get(key);
    if (known !== undefined) return known;
    map.set(key, map.size);
    return map.size - 1;
  };
  const number = (t: RoutableTarget) => numberOf(denseOf, t.id);
  const zone = (t: RoutableTarget) => numberOf(zoneIndex, t.zone);
  const groupNumber = (g: RoutableGroup) => numberOf(groupIndex, g);
  const variants = variantNumbering(number, zone, anyCapFull);
  const addSingle = (t: RoutableTarget, g: RoutableGroup | undefined) => {
    targets.push(t);
    groups.push(g);
    singles.push({ kind: 'single', target: t, group: g });
    weights.push(t.weight);
    priorities.push(t.priority);
    dense.push(number(t));
    groupOf.push(g ? groupNumber(g) : -1);
    variantOf.push(variants.variant(t));
    memberDense.push(undefined);
    memberVariants.push(undefined);
  };
  for (const e of entries) {
    if (e.kind === 'target') {
      addSingle(e.target, undefined);
      continue;
    }
    const g = e.group;
    if (g.behavior !== 2) {
      for (const m of g.members) addSingle(m, g);
      continue;
    }
    targets.push(undefined);
    groups.push(g);
    singles.push(undefined);
    weights.push(g.weight ?? 1);
    priorities.push(g.priority ?? 1);
    dense.push(-1);
    groupOf.push(groupNumber(g));
    variantOf.push(-1);
    memberDense.push(Int32Array.from(g.members, number));
    memberVariants.push(Int32Array.from(g.members, variants.variant));
  }
  const byLevel = new Map<number, number[]>();
  for (let i = 0; i < priorities.length; i++) {
    const level = byLevel.get(priorities[i]);
    if (level === undefined) byLevel.set(priorities[i], [i]);
    else level.push(i);
  }
  const levels = [...byLevel.keys()].sort((x, y) => x - y).map((p) => Int32Array.from(byLevel.get(p)!));
  const groupList = [...groupIndex.keys()];
  const table = variants.table();
  return {
    targets,
    groups,
    singles,
    weights: Float64Array.from(weights),
    dense: Int32Array.from(dense),
    groupOf: Int32Array.from(groupOf),
    variantOf: Int32Array.from(variantOf),
    variants: table,
    zones: [...zoneIndex.keys()],
    groupList,
    groupCapFull: Uint8Array.from(groupList, (g) => (anyCapFull(g.caps) ? 1 : 0)),
    memberDense,
    memberVariants,
    levels,
    call: 0,
    dialed: new Int32Array(denseOf.size),
    zoneStamp: new Int32Array(zoneIndex.size),
    zoneTime: new Array(zoneIndex.size),
    tagStamp: new Int32Array(table.tagSets.length),
    tagVerdict: new Uint8Array(table.tagSets.length),
    clauseStamp: new Int32Array(table.clauses.length),
    clauseVerdict: new Uint8Array(table.clauses.length),
    hoursStamp: new Int32Array(table.hours.length),
    hoursVerdict: new Uint8Array(table.hours.length),
    groupStamp: new Int32Array(groupList.length),
    groupOk: new Uint8Array(groupList.length),
    simulSteps: new Array(priorities.length),
    scratch: levelScratch(priorities.length),
    targetStamp: new Int32Array(denseOf.size),
    targetVerdict: new Uint8Array(denseOf.size),
  };
}

/** Starts a decision on a compiled list: a new stamp for its per-call scratch. */
function beginCall(c: CompiledList): number {
  c.call = (c.call + 1) | 0 || 1;
  return c.call;
}

/** The wall clock of the list's zone `z` for this call, read once per zone per call. */
function zoneTime(c: CompiledList, z: number, ctx: RouteContext): LocalTime {
  if (c.zoneStamp[z] !== c.call) {
    c.zoneStamp[z] = c.call;
    c.zoneTime[z] = localTime(c.zones[z], ctx.now);
  }
  return c.zoneTime[z];
}

/**
 * `eligibility(target, ctx).ok` for target object (variant) `v`, from the list's precomputed parts,
 * once per target per call.
 */
function targetOk(c: CompiledList, v: number, ctx: RouteContext): boolean {
  const vs = c.variants;
  if (vs.staticOk[v] === 0) return false;
  const n = vs.dense[v];
  if (c.targetStamp[n] === c.call) return c.targetVerdict[n] === 1;
  const verdict = liveOk(c, v, ctx);
  c.targetStamp[n] = c.call;
  c.targetVerdict[n] = verdict ? 1 : 0;
  return verdict;
}

/** What may change from call to call, in eligibility's order: live count, the call's tags, the hour. */
function liveOk(c: CompiledList, v: number, ctx: RouteContext): boolean {
  const vs = c.variants;
  if (vs.hasConcurrencyCap[v] === 1) {
    const t = vs.targets[v];
    const live = ctx.inProgress ? ctx.inProgress('target', t.id) : t.inProgress;
    if (live >= vs.concurrencyCap[v]) return false;
  }
  const tags = vs.tagSet[v];
  if (tags !== -1 && !tagSetOk(c, tags, ctx)) return false;
  const hours = vs.hoursSet[v];
  return hours === -1 || hoursOk(c, hours, ctx);
}

/** tagsAccept for the list's tag set `s`, once per call (targets sharing a tag list share it). */
function tagSetOk(c: CompiledList, s: number, ctx: RouteContext): boolean {
  if (c.tagStamp[s] !== c.call) {
    c.tagStamp[s] = c.call;
    c.tagVerdict[s] = allClausesOk(c, c.variants.tagSets[s], ctx) ? 1 : 0;
  }
  return c.tagVerdict[s] === 1;
}

/** tagsAccept is an AND over keys: each key's clause, once per call. */
function allClausesOk(c: CompiledList, clauses: Int32Array, ctx: RouteContext): boolean {
  for (let k = 0; k < clauses.length; k++) {
    const n = clauses[k];
    if (c.clauseStamp[n] !== c.call) {
      c.clauseStamp[n] = c.call;
      c.clauseVerdict[n] = tagsAccept(c.variants.clauses[n], ctx.callTags) ? 1 : 0;
    }
    if (c.clauseVerdict[n] === 0) return false;
  }
  return true;
}

/** isOpen for the list's (hours, zone) pair `h`, once per call. */
function hoursOk(c: CompiledList, h: number, ctx: RouteContext): boolean {
  if (c.hoursStamp[h] !== c.call) {
    const { rows, zone } = c.variants.hours[h];
    c.hoursStamp[h] = c.call;
    c.hoursVerdict[h] = isOpenAt(rows, zoneTime(c, zone, ctx)) ? 1 : 0;
  }
  return c.hoursVerdict[h] === 1;
}

/** Whether the candidate's group may take the call (caps not full, room under its concurrency cap), once per call. */
function groupOk(c: CompiledList, i: number, ctx: RouteContext): boolean {
  const n = c.groupOf[i];
  if (c.groupStamp[n] !== c.call) {
    c.groupStamp[n] = c.call;
    c.groupOk[n] = c.groupCapFull[n] === 0 && groupLive(c.groupList[n], ctx) ? 1 : 0;
  }
  return c.groupOk[n] === 1;
}

/** Whether candidate `i` (a single) may be dialed on this call. */
function singleOk(c: CompiledList, i: number, ctx: RouteContext): boolean {
  if (c.groupOf[i] !== -1 && !groupOk(c, i, ctx)) return false;
  return targetOk(c, c.variantOf[i], ctx);
}

/** A simuldial candidate's members that may be dialed on this call (none when the group may not). */
function simulMembers(c: CompiledList, i: number, ctx: RouteContext, firstOnly: boolean): RoutableTarget[] {
  if (!groupOk(c, i, ctx)) return NONE;
  const members = c.groups[i]!.members;
  const variants = c.memberVariants[i]!;
  let out: RoutableTarget[] = NONE;
  for (let j = 0; j < members.length; j++) {
    if (!targetOk(c, variants[j], ctx)) continue;
    if (out === NONE) out = [];
    out.push(members[j]);
    if (firstOnly) break;
  }
  return out;
}

const NONE: RoutableTarget[] = [];

/**
 * Puts the level's candidates eligible for this call in `c.scratch.eligible` (entry order) and says how
 * many; a simuldial one's step (its members eligible now) goes to `c.simulSteps`. singleOk and
 * targetOk written out with their arrays read once: this loop runs for every candidate of the list.
 */
function collectLevel(c: CompiledList, level: Int32Array, ctx: RouteContext): number {
  const { dense, groupOf, variantOf, targetStamp, targetVerdict, call } = c;
  const { staticOk, dense: variantDense } = c.variants;
  const eligible = c.scratch.eligible;
  let count = 0;
  for (let k = 0; k < level.length; k++) {
    const i = level[k];
    if (dense[i] === -1) {
      const targets = simulMembers(c, i, ctx, false);
      if (targets.length === 0) continue;
      c.simulSteps[i] = { kind: 'simul', group: c.groups[i]!, targets };
      eligible[count++] = i;
      continue;
    }
    if (groupOf[i] !== -1 && !groupOk(c, i, ctx)) continue;
    const v = variantOf[i];
    if (staticOk[v] === 0) continue;
    const n = variantDense[v];
    if (targetStamp[n] !== call) {
      targetStamp[n] = call;
      targetVerdict[n] = liveOk(c, v, ctx) ? 1 : 0;
    }
    if (targetVerdict[n] === 1) eligible[count++] = i;
  }
  return count;
}

/**
 * The dial plan for one call: eligible candidates in ascending priority, each priority level in a
 * weighted random order, every target at most once (a target reachable both directly and through a
 * group is dialed at its first position in the final order; a simuldial step loses the members dialed
 * before it and disappears if none are left).
 */
export function planRoute(entries: readonly RoutingEntry[], ctx: RouteContext): DialStep[] {
  const c = compiled(entries);
  const call = beginCall(c);
  const out: DialStep[] = [];
  const { order } = c.scratch;
  for (const level of c.levels) {
    const count = collectLevel(c, level, ctx);
    if (count === 0) continue;
    orderLevel(c.scratch, count, c.weights, ctx.random);
    for (let k = 0; k < count; k++) {
      const i = order[k];
      const n = c.dense[i];
      if (n !== -1) {
        if (c.dialed[n] === call) continue;
        c.dialed[n] = call;
        out.push(c.singles[i]!);
        continue;
      }
      const step = c.simulSteps[i] as Extract<DialStep, { kind: 'simul' }>;
      const fresh = notDialed(c, i, step.targets, call);
      if (fresh.length === 0) continue;
      markDialed(c, i, step.targets, call);
      out.push(fresh === step.targets ? step : { ...step, targets: fresh });
    }
  }
  return out;
}

/**
 * The targets of simuldial candidate `i`'s step not dialed earlier in this plan (`targets` itself when
 * none was). The step's targets are its members that passed, in member order (one object always passes
 * or fails as a whole), so walking both side by side finds each one's dense number.
 */
function notDialed(c: CompiledList, i: number, targets: RoutableTarget[], call: number): RoutableTarget[] {
  const members = c.groups[i]!.members;
  const dense = c.memberDense[i]!;
  let fresh: RoutableTarget[] | undefined;
  for (let j = 0, p = 0; j < members.length && p < targets.length; j++) {
    if (members[j] !== targets[p]) continue;
    if (c.dialed[dense[j]] === call) fresh ??= targets.slice(0, p);
    else fresh?.push(targets[p]);
    p++;
  }
  return fresh ?? targets;
}

/** Marks the step's targets dialed, after notDialed (a member listed twice is kept twice, as before). */
function markDialed(c: CompiledList, i: number, targets: RoutableTarget[], call: number): void {
  const members = c.groups[i]!.members;
  const dense = c.memberDense[i]!;
  for (let j = 0, p = 0; j < members.length && p < targets.length; j++) {
    if (members[j] !== targets[p]) continue;
    c.dialed[dense[j]] = call;
    p++;
  }
}

/**
 * The target planRoute would dial first (for a simuldial step, its first member), without ordering the
 * whole plan: the same candidates and eligibility, the lowest priority level that has an eligible one
 * (levels above it are never checked), one drawn with chance weight / sum of the level's positive
 * weights (uniformly when none is positive) — the law of planRoute's first step. A real-time bid asks
 * this: which buyer would take the call now. Every ping runs it over the whole list (1,000 targets in
 * bench/rtb): it allocates nothing per candidate (two arrays reused from call to call).
 */
export function firstTarget(entries: readonly RoutingEntry[], ctx: RouteContext): number | null {
  const c = compiled(entries);
  beginCall(c);
  for (const level of c.levels) {
    scratchIds.length = 0;
    scratchWeights.length = 0;
    for (let k = 0; k < level.length; k++) {
      const i = level[k];
      if (c.dense[i] !== -1) {
        if (singleOk(c, i, ctx)) keep(c.targets[i]!.id, c.weights[i]);
        continue;
      }
      const first = simulMembers(c, i, ctx, true);
      if (first.length > 0) keep(first[0].id, c.weights[i]);
    }
    if (scratchIds.length) return drawOne(scratchIds, scratchWeights, ctx.random);
  }
  return null;
}

const scratchIds: number[] = [];
const scratchWeights: number[] = [];

function keep(id: number, weight: number): void {
  scratchIds.push(id);
  scratchWeights.push(weight);
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
