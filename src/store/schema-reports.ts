import type { Generated } from 'kysely';
import type { ReportSums } from '../domain/report-metrics.js';

/** A tag key the company asked to have reported (the seed's "Tags page"). */
export interface TagsTable {
  id: Generated<number>;
  company_id: number;
  key: string;
  /** Calls created from this moment are reported; null once re-indexed: every call. */
  indexed_from: number | null;
  reindexed_at: number | null;
  created_at: number;
  updated_at: number;
}

/**
 * Metric sums of the calls of one company, span of local days and facet group
 * (src/domain/report-metrics.ts); spans are src/domain/report-blocks.ts's.
 */
export interface ReportRollupsTable extends ReportSums {
  company_id: number;
  facet: string;
  /** The span is 2^level days (0: one day). */
  level: number;
  /** The span's first local date as yyyymmdd in the company's zone. */
  day: number;
  key: string;
  sub: string;
}

/** Spans (days, and blocks of 2^level days) whose rollups are complete, cut in `zone`. */
export interface ReportDaysTable {
  company_id: number;
  level: number;
  day: number;
  zone: string;
  computed_at: number;
}

/** Written by triggers on `calls` (migration 0050): which hours of calls changed since last looked at. */
export interface ReportCallChangesTable {
  id: Generated<number>;
  company_id: number;
  /** created_at / 3 600 000 of the changed call; -1: every day of the company. */
  hour: number;
}

export interface ReportTables {
  tags: TagsTable;
  report_rollups: ReportRollupsTable;
  report_days: ReportDaysTable;
  report_call_changes: ReportCallChangesTable;
}
