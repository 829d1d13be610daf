import { sql } from 'kysely';
import type { Conn, Db } from '../store/db.js';
import { type BackoffOptions, backoffDelay } from './backoff.js';
import type { AttemptResult } from './sender.js';
import { hostKey } from './sender.js';
import type { DeliveryRow } from './worker.js';

export interface Outcome {
  status: 'delivered' | 'pending' | 'failed';
  /** When the row is pending again: how long until it is due. */
  retryInMs: number | null;
  /** Host of the URL the next attempt uses. */
  host: string;
}

export interface RecordOptions {
  now: number;
  random: () => number;
  backoff: BackoffOptions;
}

/**
 * Writes the result of one attempt. The primary URL gets max_attempts attempts; then, if there is a
 * fallback_url, the fallback gets as many on the same schedule (its first one right away); then 'failed'.
 * A final error (SSRF refusal, unusable URL) ends the current URL's attempts at once.
 */
export async function recordOutcome(
  db: Conn,
  row: DeliveryRow,
  r: AttemptResult,
  o: RecordOptions,
): Promise<Outcome> {
  const attempts = row.attempts + 1;
  const last = { last_status: r.status, last_error: r.error, updated_at: o.now };
  if (r.ok) {
    await finish(db, row, { ...last, status: 'delivered', attempts, delivered_at: o.now }, 'fired', o.now);
    return { status: 'delivered', retryInMs: null, host: row.host };
  }
  const inFallback = row.attempts >= row.max_attempts;
  const phaseAttempts = inFallback ? attempts - row.max_attempts : attempts;
  if (!r.final && phaseAttempts < row.max_attempts) {
    const delay = backoffDelay(phaseAttempts, o.backoff, o.random);
    await db
      .updateTable('deliveries')
      .set({ ...last, status: 'pending', attempts, next_attempt_at: o.now + delay })
      .where('id', '=', row.id)
      .execute();
    return { status: 'pending', retryInMs: delay, host: row.host };
  }
  if (!inFallback && row.fallback_url) {
    // The fallback phase is "attempts >= max_attempts": jump there even when the primary ended early.
    const host = hostKey(row.fallback_url);
    await db
      .updateTable('deliveries')
      .set({ ...last, status: 'pending', attempts: row.max_attempts, next_attempt_at: o.now, host })
      .where('id', '=', row.id)
      .execute();
    return { status: 'pending', retryInMs: 0, host };
  }
  await finish(db, row, { ...last, status: 'failed', attempts }, 'failed', o.now);
  return { status: 'failed', retryInMs: null, host: row.host };
}

/** Final state of the row and of the fired_pixels row it stands for, together. */
async function finish(
  db: Conn,
  row: DeliveryRow,
  set: Record<string, unknown>,
  pixel: 'fired' | 'failed',
  now: number,
) {
  const pixelId = row.fired_pixel_id;
  await db.updateTable('deliveries').set(set).where('id', '=', row.id).execute();
  if (pixelId !== null) {
    await db
      .updateTable('fired_pixels')
      .set({ status: pixel, fired_at: pixel === 'fired' ? now : null })
      .where('id', '=', pixelId)
      .execute();
  }
}

interface Queued {
  row: DeliveryRow;
  result: AttemptResult;
  resolve: (o: Outcome) => void;
  reject: (e: unknown) => void;
}

/**
 * Writes outcomes in batches: everything that finished during one turn of the event loop goes in one
 * transaction. Row-at-a-time commits made SQLite's WAL checkpoints (fsync) the bottleneck of the whole
 * worker; on PostgreSQL it saves a commit per row. A crash before the batch commits leaves its rows
 * 'in_flight', which start() sends again — the same case as a crash during the request.
 */
export class OutcomeWriter {
  private queue: Queued[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly options: () => RecordOptions,
  ) {}

  record(row: DeliveryRow, result: AttemptResult): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, result, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    const o = this.options();
    const outcomes = new Map<Queued, Outcome>();
    try {
      await this.db.transaction().execute(async (trx) => {
        // Plain successes (the bulk) become one UPDATE per status code; the rest go row by row.
        const plain = batch.filter((q) => q.result.ok && q.row.fired_pixel_id === null);
        for (const code of new Set(plain.map((q) => q.result.status))) {
          const ids = plain.filter((q) => q.result.status === code).map((q) => q.row.id);
          await trx
            .updateTable('deliveries')
            .set({
              status: 'delivered',
              attempts: sql<number>`attempts + 1`,
              last_status: code,
              last_error: null,
              delivered_at: o.now,
              updated_at: o.now,
            })
            .where('id', 'in', ids)
            .execute();
          for (const q of plain) outcomes.set(q, { status: 'delivered', retryInMs: null, host: q.row.host });
        }
        for (const q of batch)
          if (!outcomes.has(q)) outcomes.set(q, await recordOutcome(trx, q.row, q.result, o));
        await appendFlowEvents(trx, batch, outcomes, o.now);
      });
    } catch (err) {
      for (const q of batch) q.reject(err);
      return;
    }
    for (const q of batch) q.resolve(outcomes.get(q) as Outcome);
  }
}

/**
 * A call's pixel or webhook that settled (delivered, or failed for good) is a step of the call's journey
 * (docs/call-flow-events.md), written with the outcome so the two always agree. The engine recorded it
 * `fired` when it queued it; this adds how it ended, with the HTTP status.
 */
async function appendFlowEvents(
  trx: Conn,
  batch: Queued[],
  outcomes: Map<Queued, Outcome>,
  now: number,
): Promise<void> {
  const settled = batch.filter(
    (q) =>
      q.row.call_uuid !== null &&
      q.row.fired_pixel_id !== null &&
      (q.row.kind === 'pixel' || q.row.kind === 'webhook') &&
      outcomes.get(q)?.status !== 'pending',
  );
  if (!settled.length) return;
  const pixels = await trx
    .selectFrom('fired_pixels')
    .select(['id', 'fire_order', 'webhook_name'])
    .where(
      'id',
      'in',
      settled.map((q) => q.row.fired_pixel_id as number),
    )
    .execute();
  const byId = new Map(pixels.map((p) => [p.id, p]));
  await trx
    .insertInto('call_flow_events')
    .values(
      settled.map(({ row, result }) => {
        const pixel = byId.get(row.fired_pixel_id as number);
        const inFallback = row.attempts >= row.max_attempts && row.fallback_url !== null;
        return {
          company_id: row.company_id,
          call_uuid: row.call_uuid as string,
          // Order is by time, then by record: a settled delivery comes after what the call did meanwhile.
          seq: 0,
          at: now,
          type: row.kind,
          details: JSON.stringify({
            status: result.ok ? 'delivered' : 'failed',
            ...(row.kind === 'webhook' ? { name: pixel?.webhook_name ?? null } : {}),
            url: inFallback ? row.fallback_url : row.url,
            fire_order: pixel?.fire_order ?? null,
            http_status: result.status,
            attempts: row.attempts + 1,
            ...(result.ok ? {} : { error: result.error }),
          }),
        };
      }),
    )
    .execute();
}
