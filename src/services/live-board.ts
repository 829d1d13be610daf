import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import { ianaZone } from '../domain/timezones.js';
import type { Db } from '../store/db.js';
import { callsSince, type LiveCallRow, liveCalls } from '../store/live-board.js';

export type { LiveCallRow };

/** What the Live board shows when it opens: the calls in progress and today's counters. */
export interface LiveSnapshot {
  calls: LiveCallRow[];
  /** Since midnight in the company's time zone. */
  today: { since: number; calls: number; connected: number };
}

/** Read side of the dashboard's Live board; the stream adds the engine's events on top (api/dashboard). */
export class LiveBoardService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async snapshot(companyId: number): Promise<LiveSnapshot> {
    const company = await this.db
      .selectFrom('companies')
      .select('time_zone')
      .where('id', '=', companyId)
      .executeTakeFirst();
    const zone = ianaZone(company?.time_zone ?? 'UTC');
    const since = DateTime.fromMillis(this.clock.now(), { zone }).startOf('day').toMillis();
    const [calls, today] = await Promise.all([
      liveCalls(this.db, companyId),
      callsSince(this.db, companyId, since),
    ]);
    return { calls, today: { since, ...today } };
  }

  /** One call as the board shows it (a call that just started: campaign, publisher, legs). */
  async call(companyId: number, uuid: string): Promise<LiveCallRow | undefined> {
    return (await liveCalls(this.db, companyId, uuid))[0];
  }
}
