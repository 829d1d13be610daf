import { type Selectable, sql } from 'kysely';
import type { Cancel, Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import type { DeliveriesTable } from '../store/schema-delivery.js';
import { loadJar, type StoredCookie, saveJar } from './cookies.js';
import { HostLimiter } from './limiter.js';
import { type Outcome, OutcomeWriter } from './record.js';
import { type AttemptRequest, type AttemptResult, Sender } from './sender.js';
import { signWebhook, webhookSecret } from './signing.js';
import type { SsrfGuard } from './ssrf.js';

const PENDING = sql.lit('pending' as const);
/** Expired leases of other (dead) workers are looked for on every this many polls. */
const REQUEUE_EVERY_POLLS = 30;
/** The key of the general fill: no host name contains a NUL. */
const ANY = '\u0000any';

export type DeliveryRow = Selectable<DeliveriesTable>;

export interface WorkerOptions {
  db: Db;
  clock: Clock;
  random: () => number;
  guard: SsrfGuard;
  pollMs: number;
  timeoutMs: number;
  maxRedirects: number;
  perHostConcurrency: number;
  maxInFlight: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  userAgent: string;
  /** Who claims rows: an in_flight row carries it and an expiry (`lease_owner`, `lease_expires_at`). */
  owner: string;
  logger: Logger;
  dialect: 'sqlite' | 'postgres';
}

/**
 * Claims due outbox rows and sends them. Rows wait in the database (status 'pending') until their host has
 * a free slot, so a crash never strands more than the requests actually on the wire.
 */
export class DeliveryWorker {
  private started = false;
  private polls = 0;
  private closed = false;
  private crashed = false;
  private reserved = 0;
  private readonly busy = new Set<string>();
  private readonly again = new Set<string>();
  private readonly fills = new Set<Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<Cancel>();
  private readonly limiter: HostLimiter;
  private readonly sender: Sender;
  private readonly writer: OutcomeWriter;

  constructor(private readonly opts: WorkerOptions) {
    this.limiter = new HostLimiter(opts.perHostConcurrency, (host) => this.kickHost(host));
    this.sender = new Sender({
      clock: opts.clock,
      guard: opts.guard,
      limiter: this.limiter,
      timeoutMs: opts.timeoutMs,
      maxRedirects: opts.maxRedirects,
    });
    this.writer = new OutcomeWriter(opts.db, () => ({
      now: opts.clock.now(),
      random: opts.random,
      backoff: { baseMs: opts.backoffBaseMs, capMs: opts.backoffCapMs },
    }));
  }

  /**
   * Puts rows this worker left 'in_flight' when it stopped back to 'pending', then polls. A request that
   * was on the wire at the crash is sent again, with the same X-Switchboard-Delivery id, so receivers can
   * drop the repeat. Rows other workers hold are left alone until their lease expires.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.requeue(true);
    this.schedulePoll();
    this.kick();
  }

  /** How long a claimed row is this worker's: well past the longest a send (with redirects) can take. */
  private leaseMs(): number {
    return Math.max(60_000, 2 * this.opts.timeoutMs * (this.opts.maxRedirects + 2));
  }

  private claim(now: number) {
    return {
      status: 'in_flight' as const,
      updated_at: now,
      lease_owner: this.opts.owner,
      lease_expires_at: now + this.leaseMs(),
    };
  }

  /** Rows whose worker died: expired leases (anyone's), and at start our own and unowned ones. */
  private async requeue(atStart: boolean): Promise<void> {
    const now = this.opts.clock.now();
    await this.opts.db
      .updateTable('deliveries')
      .set({ status: 'pending', updated_at: now, lease_owner: null, lease_expires_at: null })
      .where('status', '=', 'in_flight')
      .where((eb) =>
        eb.or([
          eb('lease_expires_at', '<', now),
          ...(atStart ? [eb('lease_owner', '=', this.opts.owner), eb('lease_owner', 'is', null)] : []),
        ]),
      )
      .execute();
  }

  private schedulePoll(): void {
    const cancel = this.opts.clock.schedule(this.opts.pollMs, async () => {
      this.timers.delete(cancel);
      if (this.closed) return;
      this.schedulePoll();
      if (++this.polls % REQUEUE_EVERY_POLLS === 0)
        await this.requeue(false).catch((err) =>
          this.opts.logger.error({ err: String(err) }, 'delivery requeue failed'),
        );
      this.kick();
      await this.settleFills();
    });
    this.timers.add(cancel);
  }

  private wakeIn(delayMs: number, host: string): void {
    const cancel = this.opts.clock.schedule(delayMs, async () => {
      this.timers.delete(cancel);
      this.kickHost(host);
      await this.settleFills();
    });
    this.timers.add(cancel);
  }

  /** Look for due rows of every host now (coalesced: kicks during a look cause one more look). */
  kick(): void {
    this.loop(ANY, () => this.fillAny());
  }

  /** Look for due rows of one host (a slot of it freed, or a row for it was enqueued): an index seek. */
  kickHost(host: string): void {
    this.loop(host, () => this.fillHost(host));
  }

  /**
   * At most one fill per host (and one general fill) runs at a time; a kick during it makes it go once more.
   * Different hosts fill concurrently, so PostgreSQL round trips of one don't hold up the others.
   */
  private loop(key: string, fill: () => Promise<void>): void {
    if (!this.started || this.closed) return;
    if (this.busy.has(key)) {
      this.again.add(key);
      return;
    }
    this.busy.add(key);
    const run = async () => {
      try {
        do {
          this.again.delete(key);
          // Let slots freed in this turn of the event loop pile up: one claim for all of them.
          await new Promise<void>((r) => setImmediate(r));
          if (!this.closed) await fill();
        } while (this.again.has(key) && !this.closed);
      } catch (err) {
        this.opts.logger.error({ err: String(err) }, 'delivery worker failed');
      } finally {
        this.busy.delete(key);
      }
    };
    const p = run(); // never rejects
    this.fills.add(p);
    void p.then(() => this.fills.delete(p));
  }

  private async settleFills(): Promise<void> {
    while (this.fills.size) await Promise.allSettled([...this.fills]);
  }

  private globalFree(): number {
    return this.opts.maxInFlight - this.inFlight.size - this.reserved;
  }

  /** Due pending rows. 'pending' is a literal so both engines can prove the partial indexes apply. */
  private due(now: number) {
    return this.opts.db
      .selectFrom('deliveries')
      .where('status', '=', PENDING)
      .where('next_attempt_at', '<=', now);
  }

  /**
   * Due rows of hosts with a free slot. This scans past rows of saturated hosts, so it runs only on polls
   * and general kicks; the steady state is fillHost.
   */
  private async fillAny(): Promise<void> {
    const free = this.globalFree();
    if (free <= 0) return;
    const now = this.opts.clock.now();
    const full = this.limiter.saturated();
    const q = full.length ? this.due(now).where('host', 'not in', full) : this.due(now);
    const rows = await q.selectAll().orderBy('next_attempt_at').orderBy('id').limit(free).execute();
    const picked = rows.filter((r) => this.limiter.tryAcquire(r.host));
    // Some rows were skipped because their host just filled up: look again, now excluding that host.
    if (picked.length < rows.length) this.again.add(ANY);
    if (!picked.length) return;
    const claimed = await this.opts.db
      .updateTable('deliveries')
      .set(this.claim(now))
      .where(
        'id',
        'in',
        picked.map((r) => r.id),
      )
      .where('status', '=', PENDING)
      .returning('id')
      .execute();
    const ours = new Set(claimed.map((c) => c.id));
    for (const row of picked) {
      if (ours.has(row.id)) this.launch(row);
      else this.limiter.release(row.host, { quiet: true }); // another worker claimed it first
    }
  }

  /** Reserves the free slots, then selects and claims up to that many rows in one statement. */
  private async fillHost(host: string): Promise<void> {
    const n = Math.min(this.globalFree(), this.limiter.free(host));
    if (n <= 0) return;
    for (let i = 0; i < n; i++) this.limiter.tryAcquire(host);
    this.reserved += n;
    let rows: DeliveryRow[] = [];
    try {
      const now = this.opts.clock.now();
      let ids = this.due(now)
        .select('id')
        .where('host', '=', host)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(n);
      // Two workers on PostgreSQL take different rows instead of queueing on each other's locks.
      if (this.opts.dialect === 'postgres') ids = ids.forUpdate().skipLocked();
      // A materialized CTE, not `id IN (SELECT … LIMIT n)`: PostgreSQL may re-run such a subquery per row and
      // claim more than n rows (it did, in the concurrency test), breaking the per-host limit.
      rows = await this.opts.db
        .with(
          (w) => w('picked').materialized(),
          () => ids,
        )
        .updateTable('deliveries')
        .set(this.claim(now))
        .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
        .where('status', '=', PENDING)
        .returningAll()
        .execute();
    } finally {
      this.reserved -= n;
      // Quietly: waking this host again would only find nothing again.
      for (let i = rows.length; i < n; i++) this.limiter.release(host, { quiet: true });
    }
    for (const row of rows) this.launch(row);
  }

  private launch(row: DeliveryRow): void {
    const p: Promise<void> = this.deliver(row)
      .catch((err) => this.opts.logger.error({ err: String(err) }, 'delivery failed'))
      .finally(() => {
        const wasFull = this.inFlight.size >= this.opts.maxInFlight;
        this.inFlight.delete(p);
        if (wasFull) this.kick();
      });
    this.inFlight.add(p);
  }

  private async deliver(row: DeliveryRow): Promise<void> {
    const { clock, db } = this.opts;
    let handedOver = false;
    let jar: StoredCookie[] | null = null;
    let result: AttemptResult;
    try {
      const req = await this.prepare(row);
      jar = req.jar;
      handedOver = true; // from here the sender owns (and releases) the host slot
      result = await this.sender.attempt(req, row.host);
    } catch (err) {
      // Only a database error in prepare() gets here; count it as a failed attempt so the row moves on.
      if (!handedOver) this.limiter.release(row.host);
      result = { ok: false, status: null, error: String(err).slice(0, 500), final: false, jarChanged: false };
    }
    // A crash-like close leaves the row 'in_flight' for the next start() to recover.
    if (this.crashed) return;
    if (jar && row.cookie_jar_key && result.jarChanged)
      await saveJar(db, row.cookie_jar_key, jar, clock.now());
    const outcome: Outcome = await this.writer.record(row, result);
    if (outcome.retryInMs === 0) this.kickHost(outcome.host);
    else if (outcome.retryInMs !== null) this.wakeIn(outcome.retryInMs, outcome.host);
  }

  /** Headers (signature for webhooks), cookie jar and URL of this attempt. */
  private async prepare(row: DeliveryRow): Promise<AttemptRequest> {
    const { clock, db } = this.opts;
    const inFallback = row.attempts >= row.max_attempts && row.fallback_url !== null;
    const headers: Record<string, string> = {
      'user-agent': this.opts.userAgent,
      ...(JSON.parse(row.headers) as Record<string, string>),
      'x-switchboard-delivery': row.delivery_uuid,
    };
    if (row.kind === 'webhook') {
      // Signed at send time: each retry carries a fresh timestamp, so receivers can keep a tight replay window.
      const ts = Math.floor(clock.now() / 1000);
      const secret = await webhookSecret(db, row.company_id, clock.now());
      headers['content-type'] ??= 'application/json';
      headers['x-switchboard-timestamp'] = String(ts);
      headers['x-switchboard-signature'] = signWebhook(secret, ts, row.body ?? '');
    }
    const jar = row.cookie_jar_key ? await loadJar(db, row.cookie_jar_key, clock.now()) : null;
    const url = inFallback ? (row.fallback_url as string) : row.url;
    return { method: row.method, url, headers, body: row.body, jar };
  }

  /** Resolves once nothing is due and nothing is in flight (rows waiting for a later retry don't count). */
  async drain(): Promise<void> {
    if (!this.started) throw new Error('DeliveryWorker.drain() before start()');
    for (;;) {
      await this.settleFills();
      if (this.inFlight.size) {
        await Promise.allSettled([...this.inFlight]);
        continue;
      }
      const due = await this.opts.db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', PENDING)
        .where('next_attempt_at', '<=', this.opts.clock.now())
        .executeTakeFirstOrThrow();
      if (Number(due.n) === 0 && this.fills.size === 0 && this.inFlight.size === 0) return;
      if (this.closed) return;
      this.kick();
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  /**
   * Stops. By default waits for requests in flight to finish and records them; `{ abort: true }` cuts them
   * off and records nothing (what a crash does; tests use it to check recovery).
   */
  async close(opts: { abort?: boolean } = {}): Promise<void> {
    this.closed = true;
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    if (opts.abort) {
      this.crashed = true;
      this.sender.abortAll();
    }
    await this.settleFills();
    await Promise.allSettled([...this.inFlight]);
    await (opts.abort ? this.sender.agent.destroy() : this.sender.agent.close());
  }

  /** For tests and metrics. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }
}
