import {
  FacetAggregator,
  type FacetCall,
  type FacetRow,
  type RollupFacet,
  TagIndex,
} from '../domain/report-facets.js';
import { type ReportMetrics, reportMetrics } from '../domain/report-metrics.js';
import { dayLabel, dayOf, parseReportParams, planRange, type ReportParams } from '../domain/report-query.js';
import { ianaZone } from '../domain/timezones.js';
import type { Db } from '../store/db.js';
import { facetNames, readCalls, sumRollups } from '../store/report-rollups.js';
import { reportSettings } from '../store/report-tags.js';
import { parseRfc3339 } from './calls.js';
import type { ReportRollups } from './report-rollups.js';

export type ReportRow = { id: string | number | null; facet_name: string } & ReportMetrics;

export interface Report {
  rows: ReportRow[];
  page: number;
  perPage: number;
  lastPage: number;
  /** Facet rows over all pages. */
  totalRows: number;
  /** total_calls summed over this page's rows, and over every row (the seed's count / count_total). */
  count: number;
  countTotal: number;
}

/** Shown for calls without the faceted object (a call that never reached a buyer, say). */
export const NONE_NAME = '(none)';

/**
 * Faceted call reports (seed 001, Reports): whole local days come from the day rollups, the partial days
 * at either end of the range from the calls themselves, and both are summed by the same domain code.
 */
export class ReportService {
  constructor(
    private readonly db: Db,
    private readonly rollups: ReportRollups,
  ) {}

  async report(companyId: number, params: ReportParams): Promise<Report> {
    const settings = await reportSettings(this.db, companyId);
    const zone = ianaZone(settings.timeZone);
    const q = parseReportParams(params, zone, parseRfc3339);
    const tags = new TagIndex(settings.tags);
    const facet: RollupFacet =
      q.facet === 'tag_value' ? (q.tagValueKey === undefined ? 'tag' : 'tag_value') : q.facet;
    // The seed: an unindexed key's report is empty, not an error.
    if (q.tagValueKey !== undefined && !tags.isReported(q.tagValueKey)) {
      const { slice: _none, ...empty } = paginate([], q.page, q.perPage);
      return { ...empty, rows: [] };
    }

    const plan = planRange(q.start, q.end, zone);
    const agg = new FacetAggregator(tags, facet);
    if (plan.days) {
      const { first, last } = plan.days;
      const spans = this.rollups.cover(zone, first, last);
      const sum = () => sumRollups(this.db, companyId, facet, spans, q.tagValueKey);
      // The sum is read beside the check (one round trip, not two): almost always every span is complete
      // and nothing changed; otherwise the rollups are brought up to date and summed again.
      let [ready, rows] = await Promise.all([this.rollups.ready(companyId, zone, first, last, spans), sum()]);
      if (!ready) {
        await this.rollups.ensure(companyId, zone, first, last);
        rows = await sum();
      }
      for (const row of rows) agg.addRow(row);
    }
    for (const [from, to] of plan.edges) {
      const day = dayLabel(dayOf(from, zone));
      for (const call of await readCalls(this.db, companyId, from, to)) agg.add(call as FacetCall, day);
    }
    let rows = agg.rows();
    if (facet === 'tag_value') rows = rows.filter((r) => r.key === q.tagValueKey);
    if (facet === 'tag') rows = rows.filter((r) => tags.isReported(r.key));
    rows.sort(facet === 'daily' ? byKey : byCallsThenKey);
    const { slice, ...page } = paginate(rows, q.page, q.perPage);
    return { ...page, rows: await this.present(companyId, facet, slice) };
  }

  private async present(companyId: number, facet: RollupFacet, rows: FacetRow[]): Promise<ReportRow[]> {
    if (facet === 'daily' || facet === 'tag' || facet === 'tag_value') {
      return rows.map((r) => {
        const label = facet === 'tag_value' ? r.sub : r.key;
        return { id: label, facet_name: label, ...reportMetrics(r.sums) };
      });
    }
    const ids = rows.filter((r) => r.key !== '').map((r) => Number(r.key));
    const names = await facetNames(this.db, companyId, facet, ids);
    return rows.map((r) => {
      const id = r.key === '' ? null : Number(r.key);
      const name = id === null ? NONE_NAME : (names.get(id) ?? String(id));
      return { id, facet_name: name, ...reportMetrics(r.sums) };
    });
  }
}

/** Days in date order. */
const byKey = (a: FacetRow, b: FacetRow) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Busiest first; ties by id (numerically for object ids), values by text; calls without an object last. */
function byCallsThenKey(a: FacetRow, b: FacetRow): number {
  if (a.sums.total_calls !== b.sums.total_calls) return b.sums.total_calls - a.sums.total_calls;
  if ((a.key === '') !== (b.key === '')) return a.key === '' ? 1 : -1;
  const [ak, bk] = [a.sub || a.key, b.sub || b.key];
  const [an, bn] = [Number(ak), Number(bk)];
  if (Number.isInteger(an) && Number.isInteger(bn) && an !== bn) return an - bn;
  return ak < bk ? -1 : ak > bk ? 1 : 0;
}

function paginate(rows: FacetRow[], page: number, perPage: number) {
  const slice = rows.slice((page - 1) * perPage, page * perPage);
  const calls = (list: FacetRow[]) => list.reduce((n, r) => n + r.sums.total_calls, 0);
  return {
    slice,
    page,
    perPage,
    lastPage: Math.max(1, Math.ceil(rows.length / perPage)),
    totalRows: rows.length,
    count: calls(slice),
    countTotal: calls(rows),
  };
}
