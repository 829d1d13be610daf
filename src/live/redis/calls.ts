import type { Redis } from 'ioredis';
import { type CallRegistry, NODE_LEASE_MS } from '../live-state.js';
import type { Keys } from './keys.js';

/** A transfer's uuid keeps pointing at its call's node this long after the call ended (late requests). */
const ALIAS_AFTER_END_MS = 10 * 60_000;

/**
 * The live-call registry on Redis (jambonz keeps the same map): `call:<uuid>` names the node that owns
 * the call or transfer; the `nodes` hash holds each node's last heartbeat on its clock. A node whose
 * beat is older than NODE_LEASE_MS is dead; nodes' clocks must agree to well within that (NTP).
 */
export class RedisCallRegistry implements CallRegistry {
  constructor(
    private readonly r: Redis,
    private readonly keys: Keys,
    private readonly nodeId: string,
  ) {}

  async own(callUuid: string): Promise<void> {
    await this.r.set(this.keys.call(callUuid), this.nodeId);
  }

  async alias(uuid: string, _callUuid: string): Promise<void> {
    await this.r.set(this.keys.call(uuid), this.nodeId);
  }

  async forget(callUuid: string, aliases: readonly string[] = []): Promise<void> {
    const m = this.r.multi().del(this.keys.call(callUuid));
    for (const a of aliases) m.pexpire(this.keys.call(a), ALIAS_AFTER_END_MS);
    await m.exec();
  }

  async ownerOf(uuid: string): Promise<string | undefined> {
    return (await this.r.get(this.keys.call(uuid))) ?? undefined;
  }

  async heartbeat(now: number): Promise<void> {
    await this.r.hset(this.keys.nodes, this.nodeId, String(now));
  }

  async deadNodes(now: number): Promise<string[]> {
    const beats = await this.r.hgetall(this.keys.nodes);
    return Object.entries(beats)
      .filter(([node, at]) => node !== this.nodeId && now - Number(at) > NODE_LEASE_MS)
      .map(([node]) => node);
  }

  async alive(nodeId: string, now: number): Promise<boolean> {
    const at = await this.r.hget(this.keys.nodes, nodeId);
    return at !== null && now - Number(at) <= NODE_LEASE_MS;
  }

  async bury(nodeId: string): Promise<void> {
    await this.r.multi().hdel(this.keys.nodes, nodeId).del(this.keys.nodeLeases(nodeId)).exec();
  }
}
