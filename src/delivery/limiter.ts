/**
 * In-flight slots per host. The worker only claims a row when its host has a free slot (`tryAcquire`), so
 * waiting rows stay 'pending' in the database; redirect hops to another host wait for a slot (`acquire`).
 */
export class HostLimiter {
  private readonly active = new Map<string, number>();
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(
    private readonly perHost: number,
    private readonly onFree: (host: string) => void,
  ) {}

  tryAcquire(host: string): boolean {
    const n = this.active.get(host) ?? 0;
    if (n >= this.perHost) return false;
    this.active.set(host, n + 1);
    return true;
  }

  acquire(host: string): Promise<void> {
    if (this.tryAcquire(host)) return Promise.resolve();
    return new Promise((resolve) => {
      const queue = this.waiters.get(host) ?? [];
      queue.push(resolve);
      this.waiters.set(host, queue);
    });
  }

  /** `quiet`: a slot reserved but unused; nobody needs telling. */
  release(host: string, opts: { quiet?: boolean } = {}): void {
    const queue = this.waiters.get(host);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.waiters.delete(host);
    // Hand the slot straight to a waiting hop so new claims can't starve it.
    if (next) {
      next();
      return;
    }
    const n = (this.active.get(host) ?? 1) - 1;
    if (n <= 0) this.active.delete(host);
    else this.active.set(host, n);
    if (!opts.quiet) this.onFree(host);
  }

  /** Hosts with no free slot (the worker's query skips their rows). */
  saturated(): string[] {
    return [...this.active].filter(([, n]) => n >= this.perHost).map(([h]) => h);
  }

  free(host: string): number {
    return Math.max(0, this.perHost - (this.active.get(host) ?? 0));
  }

  inUse(host: string): number {
    return this.active.get(host) ?? 0;
  }
}
