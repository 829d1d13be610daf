import { addSums, callSums, emptySums, type ReportCall, type ReportSums } from './report-metrics.js';
import { SYSTEM_TAG_KEYS } from './report-query.js';

/**
 * What calls are grouped by. `tag` groups by tag key (the report without tag_value_key), `tag_value` by
 * a key's values (the report with it). Object facets are keyed by the object's internal id, '' for calls
 * without one (a call that never reached a buyer); `daily` by the local date.
 */
export const ROLLUP_FACETS = [
  'publisher',
  'buyer',
  'campaign',
  'number',
  'daily',
  'tag',
  'tag_value',
] as const;
export type RollupFacet = (typeof ROLLUP_FACETS)[number];

export interface FacetCall extends ReportCall {
  created_at: number;
  affiliate_id: number | null;
  target_id: number | null;
  campaign_id: number | null;
  number_id: number | null;
  /** The call's tags as stored: a JSON object of key → value. */
  tags: string;
}

/**
 * Which tag keys are reported for a call: the system tags always, a created tag for calls made from the
 * moment it was created (`indexedFrom`), or for every call once re-indexed (`indexedFrom` null).
 */
export class TagIndex {
  constructor(private readonly created: ReadonlyMap<string, number | null>) {}

  isReported(key: string): boolean {
    return SYSTEM_TAG_KEYS.includes(key) || this.created.has(key);
  }

  covers(key: string, callCreatedAt: number): boolean {
    if (SYSTEM_TAG_KEYS.includes(key)) return true;
    const from = this.created.get(key);
    return from === null || (from !== undefined && callCreatedAt >= from);
  }
}

export interface FacetRow {
  facet: RollupFacet;
  key: string;
  sub: string;
  sums: ReportSums;
}

const idKey = (id: number | null) => (id === null || id === undefined ? '' : String(id));

/** The call's tags, tolerating a malformed record (no tags rather than a failed report). */
export function parseCallTags(raw: string): Record<string, string> {
  try {
    const v = JSON.parse(raw);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) if (val !== null && val !== undefined) out[k] = String(val);
    return out;
  } catch {
    return {};
  }
}

/** Every (facet, key, sub) group a call belongs to; `day` is its local date (`2024-10-25`). */
export function facetGroups(call: FacetCall, day: string, tags: TagIndex): [RollupFacet, string, string][] {
  const out: [RollupFacet, string, string][] = [
    ['publisher', idKey(call.affiliate_id), ''],
    ['buyer', idKey(call.target_id), ''],
    ['campaign', idKey(call.campaign_id), ''],
    ['number', idKey(call.number_id), ''],
    ['daily', day, ''],
  ];
  for (const [key, value] of Object.entries(parseCallTags(call.tags))) {
    if (!tags.covers(key, call.created_at)) continue;
    out.push(['tag', key, '']);
    out.push(['tag_value', key, value]);
  }
  return out;
}

/** Sums calls into their groups; `only` limits it to one facet (a report's edges need just theirs). */
export class FacetAggregator {
  private readonly groups = new Map<string, FacetRow>();

  constructor(
    private readonly tags: TagIndex,
    private readonly only?: RollupFacet,
  ) {}

  /** Adds a call made on local date `day` (the caller knows the day's bounds; no zone maths per call). */
  add(call: FacetCall, day: string): void {
    const sums = callSums(call);
    for (const [facet, key, sub] of facetGroups(call, day, this.tags)) {
      if (this.only && facet !== this.only) continue;
      this.addRow({ facet, key, sub, sums });
    }
  }

  addRow(row: FacetRow): void {
    const id = `${row.facet}\u0000${row.key}\u0000${row.sub}`;
    const group = this.groups.get(id);
    if (group) addSums(group.sums, row.sums);
    else this.groups.set(id, { ...row, sums: addSums(emptySums(), row.sums) });
  }

  rows(): FacetRow[] {
    return [...this.groups.values()];
  }
}
