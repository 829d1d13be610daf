import type { BusinessHour } from './business-hours.js';

/**
 * The per-target facts a compiled routing list reads on every call, as flat arrays instead of a walk
 * through each target's objects (caps, tags, hours rows): on the 5,500-entry list that walk was most
 * of a decision. Numbered per target *object* (a "variant"), not per id, because a list may hold two
 * objects for one id (read directly and through a group) and each keeps its own facts, as before.
 *
 * Tag lists and business hours repeat across targets (a handful of shapes among thousands), so each
 * distinct tag list and each distinct (hours, zone) pair gets a number: a call evaluates each number
 * once, whatever the number of targets sharing it. A tag list is an AND over its keys of an OR over
 * that key's tags (tagsAccept), so it is kept as the numbers of its per-key clauses, and the clauses,
 * shared further (`state == NY or CA` is common to many lists), are evaluated once per call too.
 */
export interface TargetVariants<T extends TargetLike = TargetLike> {
  count: number;
  /** Target ids are dense-numbered by the list; a variant's dense number. */
  dense: Int32Array;
  /** 1: neither paused nor a cap full. */
  staticOk: Uint8Array;
  /** 1: has a concurrency cap (then `concurrencyCap` holds it). */
  hasConcurrencyCap: Uint8Array;
  concurrencyCap: Float64Array;
  /** The variant's tag list's number; -1 when it has no tags (takes every call). */
  tagSet: Int32Array;
  /** The variant's (hours, zone) number; -1 when it has no hours rows (open 24/7). */
  hoursSet: Int32Array;
  /** The objects themselves: live counts are read from them on each call (they may be updated). */
  targets: T[];
  /** Per tag list, its clauses' numbers; a clause is one key's tags (tagsAccept reads it alone). */
  tagSets: Int32Array[];
  clauses: TargetLike['tags'][];
  hours: { rows: readonly BusinessHour[]; zone: number }[];
}

/** The fields of RoutableTarget read here (that type lives in routing.ts, which imports this file). */
export interface TargetLike {
  id: number;
  paused: boolean;
  zone: string;
  businessHours: BusinessHour[];
  caps: readonly { cap: number | null; filled: number }[];
  concurrencyCap: number | null;
  tags: { key: string; value: string; operator: string }[];
}

/** Builds the variant table while a list compiles; `variant(t)` numbers a target object on first sight. */
export function variantNumbering<T extends TargetLike>(
  denseOf: (t: T) => number,
  zoneOf: (t: T) => number,
  capFull: (caps: T['caps']) => boolean,
) {
  const byObject = new Map<T, number>();
  const tagIndex = new Map<string, number>();
  const hoursIndex = new Map<string, number>();
  const targets: T[] = [];
  const tagSets: Int32Array[] = [];
  const clauseIndex = new Map<string, number>();
  const clauses: TargetLike['tags'][] = [];
  const clause = (tags: TargetLike['tags']) => intern(clauseIndex, tagsKey(tags), () => clauses.push(tags));
  const hours: TargetVariants['hours'] = [];
  const variant = (t: T): number => {
    const known = byObject.get(t);
    if (known !== undefined) return known;
    byObject.set(t, targets.length);
    targets.push(t);
    return targets.length - 1;
  };
  const tagSetOf = (t: T) => {
    if (t.tags.length === 0) return -1;
    return intern(tagIndex, tagsKey(t.tags), () => tagSets.push(Int32Array.from(byKey(t.tags), clause)));
  };
  const hoursOf = (t: T) => {
    if (t.businessHours.length === 0) return -1;
    const zone = zoneOf(t);
    return intern(hoursIndex, `${zone} ${keyOf(t.businessHours.map(rowFields))}`, () =>
      hours.push({ rows: t.businessHours, zone }),
    );
  };
  const table = (): TargetVariants<T> => ({
    count: targets.length,
    dense: Int32Array.from(targets, denseOf),
    staticOk: Uint8Array.from(targets, (t) => (t.paused || capFull(t.caps) ? 0 : 1)),
    hasConcurrencyCap: Uint8Array.from(targets, (t) => (t.concurrencyCap === null ? 0 : 1)),
    concurrencyCap: Float64Array.from(targets, (t) => t.concurrencyCap ?? 0),
    tagSet: Int32Array.from(targets, tagSetOf),
    hoursSet: Int32Array.from(targets, hoursOf),
    targets,
    tagSets,
    clauses,
    hours,
  });
  return { variant, table };
}

/** The number `key` has in `index`, numbering it next (and calling `added`) when new. */
function intern(index: Map<string, number>, key: string, added: () => void): number {
  const known = index.get(key);
  if (known !== undefined) return known;
  index.set(key, index.size);
  added();
  return index.size - 1;
}

const tagsKey = (tags: TargetLike['tags']) => keyOf(tags.map((g) => [g.key, g.value, g.operator]));

/** A tag list split by key, keys in order of first appearance. */
function byKey(tags: TargetLike['tags']): TargetLike['tags'][] {
  const groups = new Map<string, TargetLike['tags']>();
  for (const tag of tags) {
    const group = groups.get(tag.key);
    if (group) group.push(tag);
    else groups.set(tag.key, [tag]);
  }
  return [...groups.values()];
}

const rowFields = (r: BusinessHour) => [r.dayOfWeek, r.workDay, r.timeOpen, r.timeClose, r.invert];

/**
 * A key equal only for lists the rules cannot tell apart: each value with its type, so that 1 and
 * "1", or null and NaN (which compare differently), never share a number (JSON.stringify would).
 */
function keyOf(rows: unknown[][]): string {
  return rows.map((row) => row.map((v) => `${typeof v}:${String(v)}`).join(',')).join(';');
}
