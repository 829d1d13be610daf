import type { Report, ReportRow } from '../../../services/reports.js';

/** The seed's report body: `{count, count_total, data: [rows]}`. */
export function presentReport(r: Report) {
  return { count: r.count, count_total: r.countTotal, data: r.rows };
}

/** Columns of a row, in the seed's order. */
const COLUMNS: (keyof ReportRow)[] = [
  'id',
  'facet_name',
  'total_calls',
  'repeat_count',
  'duplicate_count',
  'unique_calls',
  'converted_count',
  'revenue',
  'payout',
  'cost',
  'total_duration',
  'total_duration_percent',
  'rescued_count',
  'rescued_revenue',
  'connected_duration',
  'connected_duration_percent',
  'in_progress_count',
  'profit',
  'repeat_count_percent',
  'duplicate_count_percent',
  'converted_count_percent',
  'rescued_count_percent',
  'epc',
  'cpc',
];

/**
 * RFC 4180 CSV of the page's rows with a header line. Text cells that a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@`, tab, CR first: tag values come from callers and publishers) get a leading `'`.
 */
export function reportCsv(r: Report): string {
  const lines = [COLUMNS.join(',')];
  for (const row of r.rows) lines.push(COLUMNS.map((c) => cell(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
