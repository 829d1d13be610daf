import type { Clock } from '../clock.js';
import { blocksBeneath, coverDays, type Span, spanKey } from '../domain/report-blocks.js';
import { FacetAggregator, type FacetCall, type FacetRow, TagIndex } from '../domain/report-facets.js';
import { type DayNumber, dayLabel, dayOf, dayStart, daysTouched, nextDay } from '../domain/report-query.js';
import { ianaZone } from '../domain/timezones.js';
import type { Conn, Db } from '../store/db.js';
import type { Dialect } from '../store/migrations/kit.js';
import {
  companiesWithChanges,
  companyZone,
  forgetDays,
  freshDays,
  freshSpans,
  lockCompanyRollups,
  readCalls,
  takeChanges,
  writeBlock,
  writeDays,
} from '../store/report-rollups.js';
import { tagIndexOf } from '../store/report-tags.js';

const HOUR_MS = 3_600_000;
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

  /**
   * Makes days [first, last] (in IANA `zone`) complete for the company, and the blocks that cover them
   * (src/domain/report-blocks.ts); answers the spans a report sums. Days from today on (by the clock)
   * stay single days: they change all the time.
   */
  async ensure(companyId: number, zone: string, first: DayNumber, last: DayNumber): Promise<Span[]> {
    const cover = this.cover(zone, first, last);
    // Usually nothing changed and every span is summed: one read, no transaction, no lock.
    if (await this.ready(companyId, zone, first, last, cover)) return cover;
    const span: { day: DayNumber; from: number; to: number }[] = [];
    for (let d = first, from = dayStart(d, zone); d <= last; ) {
      const next = nextDay(d, zone);
      const to = dayStart(next, zone);
      span.push({ day: d, from, to });
      [d, from] = [next, to];
    }
    await this.exclusive(companyId, async () => {
      for (let done = false; !done; ) {
        done = await this.db.transaction().execute(async (tx) => {
          await lockCompanyRollups(tx, this.dialect, companyId);
          await this.applyChanges(tx, companyId, zone);
          const fresh = await freshDays(tx, companyId, first, last, zone);
          const missing = span.filter((d) => !fresh.has(d.day));
          if ((await this.sumDays(tx, companyId, zone, missing)) !== missing.length) return false;
          // Every day is complete in this transaction: the blocks are summed from them, smallest first.
          await this.sumBlocks(tx, companyId, zone, first, last, cover);
          return true;
        });
      }
    });
    return cover;
  }

  /** The spans a report of days [first, last] reads: blocks of days, but days from today on alone. */
  cover(zone: string, first: DayNumber, last: DayNumber): Span[] {
    return coverDays(first, last, dayOf(this.clock.now(), zone));
  }

  /** Whether every span of `cover` is complete in `zone` and no change is waiting: one read. */
  async ready(companyId: number, zone: string, first: DayNumber, last: DayNumber, cover: Span[]) {
    const check = await freshSpans(this.db, companyId, first, last, zone);
    return !check.changed && cover.every((s) => check.fresh.has(spanKey(s)));
  }

  private async sumBlocks(
    tx: Conn,
    companyId: number,
    zone: string,
    first: DayNumber,
    last: DayNumber,
    cover: Span[],
  ): Promise<void> {
    const { fresh } = await freshSpans(tx, companyId, first, last, zone);
    const needed = new Map<string, Span>();
    for (const s of cover) for (const b of blocksBeneath(s)) needed.set(spanKey(b), b);
    const missing = [...needed.values()]
      .filter((b) => !fresh.has(spanKey(b)))
      .sort((a, b) => a.level - b.level || a.day - b.day);
    const now = this.clock.now();
    for (const block of missing) await writeBlock(tx, companyId, block, zone, now);
  }

  /** Takes the logged changes and forgets the days they touch; answers the days that were complete. */
  private async applyChanges(tx: Conn, companyId: number, zone: string): Promise<DayNumber[] | 'all'> {
    const hours = await takeChanges(tx, this.dialect, companyId);
    if (!hours.length) return [];
    if (hours.some((h) => h < 0)) {
      await forgetDays(tx, companyId, 'all');
      return 'all';
    }
    const days = new Set<DayNumber>();
    for (const h of hours) for (const d of daysTouched(h * HOUR_MS, (h + 1) * HOUR_MS, zone)) days.add(d);
    return forgetDays(tx, companyId, [...days]);
  }

  /**
   * Every `everyMs`, applies the logged changes of companies nobody asked a report of (so the log stays
   * small) and sums again the complete days they touched (so the next report finds them ready).
   * Returns a stop function.
   */
  startSweeper(everyMs = 60_000): () => Promise<void> {
    let cancel = () => {};
    let stopped = false;
    let running: Promise<void> = Promise.resolve();
    const tick = () => {
      running = this.sweep()
        // A failed sweep is retried at the next tick; reports refresh on their own meanwhile.
        .catch(() => undefined)
        .then(() => {
          if (!stopped) cancel = this.clock.schedule(everyMs, tick);
        });
      return running;
    };
    cancel = this.clock.schedule(everyMs, tick);
    // Stopping waits for a sweep under way, so the store is not closed beneath it.
    return () => {
      stopped = true;
      cancel();
      return running;
    };
  }

  /** One sweep over the companies with logged changes (at most 100 per sweep). */
  async sweep(): Promise<void> {
    for (const companyId of await companiesWithChanges(this.db, 100)) {
      const zone = ianaZone(await companyZone(this.db, companyId));
      await this.exclusive(companyId, async () => {
        await this.db.transaction().execute(async (tx) => {
          await lockCompanyRollups(tx, this.dialect, companyId);
          // Days that were complete are summed again; others wait for a report that needs them.
          const forgotten = await this.applyChanges(tx, companyId, zone);
          if (forgotten === 'all') return;
          let rest = forgotten.map((day) => ({
            day,
            from: dayStart(day, zone),
            to: dayStart(nextDay(day, zone), zone),
          }));
          while (rest.length) rest = rest.slice(await this.sumDays(tx, companyId, zone, rest));
        });
      });
    }
  }

  /** Sums the first of the `missing` days, up to CALLS_PER_TX calls (at least one day); how many it did. */
  private async sumDays(
    tx: Conn,
    companyId: number,
    zone: string,
    missing: { day: DayNumber; from: number; to: number }[],
  ): Promise<number> {
    if (!missing.length) return 0;
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
    return days.length;
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
