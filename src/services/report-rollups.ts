import type { Clock } from '../clock.js';
import { FacetAggregator, type FacetCall, type FacetRow, TagIndex } from '../domain/report-facets.js';
import { type DayNumber, dayLabel, dayStart, daysTouched, nextDay } from '../domain/report-query.js';
import type { Conn, Db } from '../store/db.js';
import type { Dialect } from '../store/migrations/kit.js';
import {
  deleteChanges,
  forgetDays,
  freshDays,
  lockCompanyRollups,
  pendingChanges,
  readCalls,
  writeDays,
} from '../store/report-rollups.js';
import { tagIndexOf } from '../store/report-tags.js';

const HOUR_MS = 3_600_000;
const CHANGES_PAGE = 20_000;
/**
 * Calls summed per transaction (whole days, at least one): bounds how long one refresh holds SQLite's
 * single writer (~0.1 s) while a long range with few calls still goes in a few transactions.
 */
const CALLS_PER_TX = 20_000;

/**
 * Keeps the day rollups of a company's calls complete (docs/reports.md). Triggers on `calls` log every
 * change that matters; a refresh first forgets the days those changes touched, then sums the days a report
 * needs that are not complete. Everything happens in transactions under a per-company lock, so a day is
 * only marked complete with the calls its summing saw, and any later change leaves a log row behind.
 */
export class ReportRollups {
  private readonly running = new Map<number, Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
  ) {}

  /** Makes days [first, last] (in IANA `zone`) complete for the company. */
  async ensure(companyId: number, zone: string, first: DayNumber, last: DayNumber): Promise<void> {
    const span: { day: DayNumber; from: number; to: number }[] = [];
    for (let d = first, from = dayStart(d, zone); d <= last; ) {
      const next = nextDay(d, zone);
      const to = dayStart(next, zone);
      span.push({ day: d, from, to });
      [d, from] = [next, to];
    }
    // Usually nothing changed and every day is summed: two reads, no transaction, no lock.
    const [changed] = await pendingChanges(this.db, companyId, 0, 1);
    if (!changed && (await freshDays(this.db, companyId, first, last, zone)).size === span.length) return;
    await this.exclusive(companyId, async () => {
      for (let done = false; !done; ) {
        done = await this.db.transaction().execute(async (tx) => {
          await lockCompanyRollups(tx, this.dialect, companyId);
          await this.applyChanges(tx, companyId, zone);
          const fresh = await freshDays(tx, companyId, first, last, zone);
          const missing = span.filter((d) => !fresh.has(d.day));
          return this.sumDays(tx, companyId, zone, missing);
        });
      }
    });
  }

  /** Forgets the days touched by logged changes, then drops exactly the log rows read. */
  private async applyChanges(tx: Conn, companyId: number, zone: string): Promise<void> {
    const ids: number[] = [];
    const hours = new Set<number>();
    let all = false;
    for (let after = 0; ; ) {
      const rows = await pendingChanges(tx, companyId, after, CHANGES_PAGE);
      for (const r of rows) {
        ids.push(r.id);
        if (r.hour < 0) all = true;
        else hours.add(r.hour);
      }
      if (rows.length < CHANGES_PAGE) break;
      after = rows[rows.length - 1].id;
    }
    if (!ids.length) return;
    if (all) await forgetDays(tx, companyId, 'all');
    else {
      const days = new Set<DayNumber>();
      for (const h of hours) for (const d of daysTouched(h * HOUR_MS, (h + 1) * HOUR_MS, zone)) days.add(d);
      await forgetDays(tx, companyId, [...days]);
    }
    await deleteChanges(tx, ids);
  }

  /** Sums the first of the `missing` days, up to CALLS_PER_TX calls; true when none is left after. */
  private async sumDays(
    tx: Conn,
    companyId: number,
    zone: string,
    missing: { day: DayNumber; from: number; to: number }[],
  ): Promise<boolean> {
    if (!missing.length) return true;
    const tags = new TagIndex(await tagIndexOf(tx, companyId));
    const days: DayNumber[] = [];
    const rows: (FacetRow & { day: DayNumber })[] = [];
    let calls = 0;
    for (const { day, from, to } of missing) {
      if (days.length && calls >= CALLS_PER_TX) break;
      const agg = new FacetAggregator(tags);
      const label = dayLabel(day);
      const list = await readCalls(tx, companyId, from, to);
      for (const call of list) agg.add(call as FacetCall, label);
      for (const row of agg.rows()) rows.push({ ...row, day });
      days.push(day);
      calls += list.length;
    }
    await writeDays(tx, companyId, days, zone, rows, this.clock.now());
    return days.length === missing.length;
  }

  /** One refresh per company at a time in this process (PostgreSQL's advisory lock covers other nodes). */
  private async exclusive<T>(companyId: number, work: () => Promise<T>): Promise<T> {
    const before = this.running.get(companyId) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(work);
    this.running.set(companyId, mine);
    try {
      return await mine;
    } finally {
      if (this.running.get(companyId) === mine) this.running.delete(companyId);
    }
  }
}
