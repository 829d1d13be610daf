/**
 * What must be counted atomically while calls are live: calls in progress per target and group
 * (concurrency caps) and cap usage per period. Checks and increments happen in one synchronous step,
 * so two calls racing for the last slot never both get it (in-process; Redis plays this part across nodes).
 */
export type OwnerKey = `target:${number}` | `target_group:${number}`;

export interface CapClaim {
  /** Identifies the cap and its current period, e.g. `target:7:Daily:1735689600000`. */
  window: string;
  limit: number;
  /** Usage recorded in the database for this window, used the first time the window is seen. */
  stored: number;
}

export interface Claim {
  owner: OwnerKey;
  concurrencyCap: number | null;
  caps: CapClaim[];
}

export interface Lease {
  /** The call connected: its cap reservations become usage. */
  commit(): void;
  /** The attempt ended: frees the concurrency slot and any uncommitted cap reservation. */
  release(): void;
  /** The call was taken back (live call return): its usage no longer counts against the caps. */
  uncommit(): void;
}

export class Occupancy {
  private readonly live = new Map<OwnerKey, number>();
  private readonly used = new Map<string, number>();
  private readonly pending = new Map<string, number>();

  inProgress(owner: OwnerKey): number {
    return this.live.get(owner) ?? 0;
  }

  tryAcquire(claims: Claim[]): Lease | undefined {
    for (const c of claims) {
      if (c.concurrencyCap !== null && this.inProgress(c.owner) >= c.concurrencyCap) return undefined;
      for (const cap of c.caps) {
        if (this.usage(cap) + (this.pending.get(cap.window) ?? 0) >= cap.limit) return undefined;
      }
    }
    for (const c of claims) {
      this.bump(this.live, c.owner, 1);
      for (const cap of c.caps) this.bump(this.pending, cap.window, 1);
    }
    let committed = false;
    let released = false;
    return {
      commit: () => {
        if (committed || released) return;
        committed = true;
        for (const c of claims)
          for (const cap of c.caps) {
            this.bump(this.pending, cap.window, -1);
            this.bump(this.used, cap.window, 1);
          }
      },
      uncommit: () => {
        if (!committed) return;
        committed = false;
        for (const c of claims) for (const cap of c.caps) this.bump(this.used, cap.window, -1);
      },
      release: () => {
        if (released) return;
        released = true;
        for (const c of claims) {
          this.bump(this.live, c.owner, -1);
          if (!committed) for (const cap of c.caps) this.bump(this.pending, cap.window, -1);
        }
      },
    };
  }

  private readonly holds = new Map<string, OwnerKey>();

  /**
   * A slot held for something that is not a call yet: an RTB reservation whose key says
   * `add_to_caps_on_status_reserved` counts toward its buyer's concurrency until claimed or expired.
   */
  hold(id: string, owner: OwnerKey): void {
    if (this.holds.has(id)) return;
    this.holds.set(id, owner);
    this.bump(this.live, owner, 1);
  }

  /** Frees a hold (claimed, expired); unknown ids are ignored, so both ends may call it. */
  unhold(id: string): void {
    const owner = this.holds.get(id);
    if (!owner) return;
    this.holds.delete(id);
    this.bump(this.live, owner, -1);
  }

  private usage(cap: CapClaim): number {
    let n = this.used.get(cap.window);
    if (n === undefined) {
      n = cap.stored;
      this.used.set(cap.window, n);
    }
    return n;
  }

  private bump<K>(map: Map<K, number>, key: K, by: number): void {
    const n = (map.get(key) ?? 0) + by;
    if (n <= 0) map.delete(key);
    else map.set(key, n);
  }
}
