/**
 * One injectable clock for everything time-based (DESIGN.md §4). The manual clock only moves when told to,
 * which makes call flows, caps and expiries exact in tests and in `SWITCHBOARD_CLOCK=manual` servers.
 */
export type Cancel = () => void;

export interface Clock {
  readonly kind: 'system' | 'manual';
  now(): number;
  /** Runs `fn` once the clock reaches `delayMs` from now. */
  schedule(delayMs: number, fn: () => void | Promise<void>): Cancel;
}

export class SystemClock implements Clock {
  readonly kind = 'system';
  now(): number {
    return Date.now();
  }
  schedule(delayMs: number, fn: () => void | Promise<void>): Cancel {
    const handle = setTimeout(() => void fn(), Math.max(0, delayMs));
    handle.unref?.();
    return () => clearTimeout(handle);
  }
}

interface Task {
  at: number;
  seq: number;
  fn: () => void | Promise<void>;
  cancelled?: boolean;
}

export class ManualClock implements Clock {
  readonly kind = 'manual';
  private current: number;
  private seq = 0;
  private tasks: Task[] = [];
  private readonly quiescence: (() => Promise<void>)[] = [];
  private cancelled = 0;

  constructor(start: number = Date.UTC(2025, 0, 6, 15, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, fn: () => void | Promise<void>): Cancel {
    const task: Task = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn };
    this.tasks.push(task);
    // Cancelling marks the task (every engine command schedules a deadline and cancels it at once);
    // the list is compacted when cancelled tasks pile up.
    return () => {
      if (task.cancelled) return;
      task.cancelled = true;
      if (++this.cancelled > 64 && this.cancelled * 2 > this.tasks.length) this.compact();
    };
  }

  /** Work that must finish before time moves on (the engine registers "all live calls are waiting"). */
  onQuiescence(fn: () => Promise<void>): void {
    this.quiescence.push(fn);
  }

  /**
   * Jumps to a time without living through the interval: tasks that fell due in it run once, at the new
   * instant, in their order. Replaying them instead would make a periodic poller run once per period of
   * a jump of weeks (a 60 s poll over 35 days is 50,000 turns).
   */
  set(epochMs: number): void {
    this.current = epochMs;
    for (const t of this.tasks) if (t.at < epochMs) t.at = epochMs;
  }

  /** Moves time forward, running every task that falls due, in order, each at its own instant. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      next.cancelled = true;
      this.cancelled++;
      this.compact();
      this.current = next.at;
      await next.fn();
      await this.settle();
    }
    this.current = end;
    await this.settle();
  }

  /** Lets promise chains started by a task (and registered background work) finish before the next task. */
  async settle(): Promise<void> {
    await yieldTurns();
    for (const fn of this.quiescence) await fn();
  }

  pending(): number {
    return this.tasks.length - this.cancelled;
  }

  private compact(): void {
    this.tasks = this.tasks.filter((t) => !t.cancelled);
    this.cancelled = 0;
  }

  private nextDue(end: number): Task | undefined {
    let best: Task | undefined;
    for (const t of this.tasks) {
      if (t.at > end || t.cancelled) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

async function yieldTurns(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
