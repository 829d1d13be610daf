/**
 * Every key and channel of one Switchboard deployment in Redis starts with its prefix (`sb:` unless
 * `REDIS_PREFIX` says otherwise), so deployments (and test runs) can share one Redis. Keys are built
 * inside the Lua scripts from the same prefix: one Redis (or Sentinel), not Redis Cluster.
 */
export class Keys {
  constructor(readonly prefix: string) {}

  live(owner: string): string {
    return `${this.prefix}live:${owner}`;
  }
  lease(id: string): string {
    return `${this.prefix}lease:${id}`;
  }
  callLeases(callUuid: string): string {
    return `${this.prefix}call-leases:${callUuid}`;
  }
  nodeLeases(nodeId: string): string {
    return `${this.prefix}node-leases:${nodeId}`;
  }
  call(uuid: string): string {
    return `${this.prefix}call:${uuid}`;
  }
  get nodes(): string {
    return `${this.prefix}nodes`;
  }
  lock(key: string): string {
    return `${this.prefix}lock:${key}`;
  }
  idempotency(key: string): string {
    return `${this.prefix}idem:${key}`;
  }
  rate(key: string, windowStart: number): string {
    return `${this.prefix}rate:${key}:${windowStart}`;
  }
  /** Every node's live events (pub/sub). */
  get events(): string {
    return `${this.prefix}events`;
  }
  /** Requests to, and replies for, one node (pub/sub). */
  inbox(nodeId: string): string {
    return `${this.prefix}node:${nodeId}`;
  }
}
