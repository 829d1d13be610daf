import type { CapClaim, Claim, Lease, Leases, OwnerKey } from '../live-state.js';

/**
 * Leases in this process: checks and increments happen in one synchronous step, so two calls racing
 * for the last slot never both get it. The Redis implementation (`../redis/leases.ts`) does the same
 * step in one Lua script across nodes.
 */
export class LocalLeases implements Leases {
  private readonly live = new Map<OwnerKey, number>();
  private readonly used = new Map<string, number>();
  private readonly pending = new Map<string, number>();
  /** Leases held per call, for the sweeper and for ending a call from outside its script. */
  private readonly held = new Map<string, Set<LocalLease>>();
  private readonly holds = new Map<string, OwnerKey>();

  /** Synchronous read for tests and the in-process fast path. */
  inProgress(owner: OwnerKey): number {
    return this.live.get(owner) ?? 0;
  }

  async counts(owners: readonly OwnerKey[]): Promise<Map<OwnerKey, number>> {
    return new Map(owners.map((o) => [o, this.inProgress(o)]));
  }

  async tryAcquire(claims: readonly Claim[], callUuid: string): Promise<Lease | undefined> {
    return this.take(claims, callUuid);
  }

  /** The check-and-take itself, synchronous. */
  take(claims: readonly Claim[], callUuid: string): LocalLease | undefined {
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
    const lease = new LocalLease(this, claims, callUuid);
    const mine = this.held.get(callUuid) ?? new Set<LocalLease>();
    mine.add(lease);
    this.held.set(callUuid, mine);
    return lease;
  }

  async releaseCalls(callUuids: readonly string[]): Promise<number> {
    let n = 0;
    for (const uuid of callUuids) {
      for (const lease of [...(this.held.get(uuid) ?? [])]) {
        lease.free();
        n++;
      }
      this.held.delete(uuid);
    }
    return n;
  }

  async heldBy(_nodeId?: string): Promise<string[]> {
    return [...this.held.keys()];
  }

  /** `ttlMs` matters only across nodes (a dead node's holds); here the holder's clock frees it. */
  async hold(id: string, owner: OwnerKey, _ttlMs: number, cap: number | null = null): Promise<boolean> {
    if (this.holds.has(id)) return true;
    if (cap !== null && this.inProgress(owner) >= cap) return false;
    this.holds.set(id, owner);
    this.bump(this.live, owner, 1);
    return true;
  }

  async unhold(id: string): Promise<void> {
    const owner = this.holds.get(id);
    if (!owner) return;
    this.holds.delete(id);
    this.bump(this.live, owner, -1);
  }

  /** @internal steps of a LocalLease; `pending`: its cap reservation was never committed. */
  apply(claims: readonly Claim[], step: 'commit' | 'uncommit' | 'release', pending: boolean): void {
    for (const c of claims) {
      if (step === 'release') this.bump(this.live, c.owner, -1);
      for (const cap of c.caps) {
        if (step === 'commit') {
          this.bump(this.pending, cap.window, -1);
          this.bump(this.used, cap.window, 1);
        } else if (step === 'uncommit') this.bump(this.used, cap.window, -1);
        else if (pending) this.bump(this.pending, cap.window, -1);
      }
    }
  }

  /** @internal */
  forget(lease: LocalLease, callUuid: string): void {
    const mine = this.held.get(callUuid);
    mine?.delete(lease);
    if (mine?.size === 0) this.held.delete(callUuid);
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

class LocalLease implements Lease {
  private state: 'pending' | 'committed' | 'returned' | 'released' = 'pending';

  constructor(
    private readonly owner: LocalLeases,
    private readonly claims: readonly Claim[],
    private readonly callUuid: string,
  ) {}

  async commit(): Promise<void> {
    if (this.state !== 'pending') return;
    this.state = 'committed';
    this.owner.apply(this.claims, 'commit', false);
  }

  /** Usage undone; the reservation is not pending again (a returned call's next target takes its own). */
  async uncommit(): Promise<void> {
    if (this.state !== 'committed') return;
    this.state = 'returned';
    this.owner.apply(this.claims, 'uncommit', false);
  }

  async release(): Promise<void> {
    this.free();
  }

  /** Synchronous release (the sweeper's). */
  free(): void {
    if (this.state === 'released') return;
    const pending = this.state === 'pending';
    this.state = 'released';
    this.owner.apply(this.claims, 'release', pending);
    this.owner.forget(this, this.callUuid);
  }
}
