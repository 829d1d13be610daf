import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Claim, Lease, Leases, OwnerKey } from '../live-state.js';
import type { Keys } from './keys.js';

/** Cap usage keys outlive any cap period (a month) and then go: the database holds the truth. */
const WINDOW_TTL_MS = 40 * 24 * 3600 * 1000;

// Shared by the scripts: expired holds (a dead node's RTB reservations) give their slot back first.
const PURGE_HOLDS = `
local p = ARGV[1]
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', p .. 'holds', '-inf', nowMs)
for _, id in ipairs(expired) do
  local owner = redis.call('HGET', p .. 'hold-owner', id)
  if owner then
    if redis.call('DECR', p .. 'live:' .. owner) < 0 then redis.call('SET', p .. 'live:' .. owner, 0) end
    redis.call('HDEL', p .. 'hold-owner', id)
  end
  redis.call('ZREM', p .. 'holds', id)
end
local function dec(key)
  if redis.call('DECR', key) < 0 then redis.call('SET', key, 0) end
end
`;

/** ARGV: prefix, leaseId, callUuid, nodeId, claims (JSON), windowTtlMs. 1 when taken, 0 when full. */
const ACQUIRE = `${PURGE_HOLDS}
local claims = cjson.decode(ARGV[5])
for _, c in ipairs(claims) do
  if c.concurrencyCap ~= cjson.null then
    if tonumber(redis.call('GET', p .. 'live:' .. c.owner) or '0') >= c.concurrencyCap then return 0 end
  end
  for _, w in ipairs(c.caps) do
    redis.call('SET', p .. 'used:' .. w.window, w.stored, 'NX', 'PX', ARGV[6])
    local used = tonumber(redis.call('GET', p .. 'used:' .. w.window))
    local pend = tonumber(redis.call('GET', p .. 'pend:' .. w.window) or '0')
    if used + pend >= w.limit then return 0 end
  end
end
for _, c in ipairs(claims) do
  redis.call('INCR', p .. 'live:' .. c.owner)
  for _, w in ipairs(c.caps) do
    redis.call('INCR', p .. 'pend:' .. w.window)
    redis.call('PEXPIRE', p .. 'pend:' .. w.window, ARGV[6])
  end
end
redis.call('HSET', p .. 'lease:' .. ARGV[2], 'claims', ARGV[5], 'call', ARGV[3], 'node', ARGV[4], 'state', 'pending')
redis.call('SADD', p .. 'call-leases:' .. ARGV[3], ARGV[2])
redis.call('SADD', p .. 'node-leases:' .. ARGV[4], ARGV[3])
return 1
`;

/**
 * ARGV: prefix, leaseId, step (commit | uncommit | release). A lease's cap reservation is pending until
 * commit (usage), back out of usage on uncommit (a returned call), and only a pending one is given
 * back on release.
 */
const STEP = `${PURGE_HOLDS}
local key = p .. 'lease:' .. ARGV[2]
local state = redis.call('HGET', key, 'state')
if not state then return 0 end
local claims = cjson.decode(redis.call('HGET', key, 'claims'))
local step = ARGV[3]
if step == 'commit' then
  if state ~= 'pending' then return 0 end
  for _, c in ipairs(claims) do
    for _, w in ipairs(c.caps) do
      dec(p .. 'pend:' .. w.window)
      redis.call('INCR', p .. 'used:' .. w.window)
    end
  end
  redis.call('HSET', key, 'state', 'committed')
elseif step == 'uncommit' then
  if state ~= 'committed' then return 0 end
  for _, c in ipairs(claims) do
    for _, w in ipairs(c.caps) do dec(p .. 'used:' .. w.window) end
  end
  redis.call('HSET', key, 'state', 'returned')
else
  for _, c in ipairs(claims) do
    dec(p .. 'live:' .. c.owner)
    if state == 'pending' then
      for _, w in ipairs(c.caps) do dec(p .. 'pend:' .. w.window) end
    end
  end
  local call = redis.call('HGET', key, 'call')
  local node = redis.call('HGET', key, 'node')
  redis.call('DEL', key)
  redis.call('SREM', p .. 'call-leases:' .. call, ARGV[2])
  if redis.call('SCARD', p .. 'call-leases:' .. call) == 0 then
    redis.call('SREM', p .. 'node-leases:' .. node, call)
  end
end
return 1
`;

/** ARGV: prefix, owner keys… → their counts. */
const COUNTS = `${PURGE_HOLDS}
local out = {}
for i = 2, #ARGV do out[#out + 1] = tonumber(redis.call('GET', p .. 'live:' .. ARGV[i]) or '0') end
return out
`;

/** ARGV: prefix, id, owner, ttlMs, concurrency cap (-1: none). 1 when held, 0 when full. */
const HOLD = `${PURGE_HOLDS}
if redis.call('HEXISTS', p .. 'hold-owner', ARGV[2]) == 1 then return 1 end
local cap = tonumber(ARGV[5])
if cap >= 0 and tonumber(redis.call('GET', p .. 'live:' .. ARGV[3]) or '0') >= cap then return 0 end
redis.call('HSET', p .. 'hold-owner', ARGV[2], ARGV[3])
redis.call('ZADD', p .. 'holds', nowMs + tonumber(ARGV[4]), ARGV[2])
redis.call('INCR', p .. 'live:' .. ARGV[3])
return 1
`;

/** ARGV: prefix, id. */
const UNHOLD = `${PURGE_HOLDS}
local owner = redis.call('HGET', p .. 'hold-owner', ARGV[2])
if not owner then return 0 end
redis.call('HDEL', p .. 'hold-owner', ARGV[2])
redis.call('ZREM', p .. 'holds', ARGV[2])
dec(p .. 'live:' .. owner)
return 1
`;

type Scripted = Redis & {
  sbAcquire(...args: (string | number)[]): Promise<number>;
  sbStep(...args: (string | number)[]): Promise<number>;
  sbCounts(...args: (string | number)[]): Promise<number[]>;
  sbHold(...args: (string | number)[]): Promise<number>;
  sbUnhold(...args: (string | number)[]): Promise<number>;
};

/**
 * Leases on Redis: each check-and-take is one Lua script, so it is atomic across every node. A lease is
 * a hash (its claims, call, node and state) listed under its call and its node, so a survivor can give
 * back the leases of a dead node's calls.
 */
export class RedisLeases implements Leases {
  private readonly r: Scripted;

  constructor(
    redis: Redis,
    private readonly keys: Keys,
    private readonly nodeId: string,
  ) {
    redis.defineCommand('sbAcquire', { numberOfKeys: 0, lua: ACQUIRE });
    redis.defineCommand('sbStep', { numberOfKeys: 0, lua: STEP });
    redis.defineCommand('sbCounts', { numberOfKeys: 0, lua: COUNTS });
    redis.defineCommand('sbHold', { numberOfKeys: 0, lua: HOLD });
    redis.defineCommand('sbUnhold', { numberOfKeys: 0, lua: UNHOLD });
    this.r = redis as Scripted;
  }

  private get p(): string {
    return this.keys.prefix;
  }

  async counts(owners: readonly OwnerKey[]): Promise<Map<OwnerKey, number>> {
    if (!owners.length) return new Map();
    const values = await this.r.sbCounts(this.p, ...owners);
    return new Map(owners.map((o, i) => [o, Number(values[i] ?? 0)]));
  }

  async tryAcquire(claims: readonly Claim[], callUuid: string): Promise<Lease | undefined> {
    const id = randomUUID();
    const taken = await this.r.sbAcquire(
      this.p,
      id,
      callUuid,
      this.nodeId,
      JSON.stringify(claims),
      WINDOW_TTL_MS,
    );
    if (!taken) return undefined;
    const step = (name: string) => async () => {
      await this.r.sbStep(this.p, id, name);
    };
    return { commit: step('commit'), uncommit: step('uncommit'), release: step('release') };
  }

  async hold(id: string, owner: OwnerKey, ttlMs: number, cap: number | null = null): Promise<boolean> {
    return (await this.r.sbHold(this.p, id, owner, Math.max(1, Math.round(ttlMs)), cap ?? -1)) === 1;
  }

  async unhold(id: string): Promise<void> {
    await this.r.sbUnhold(this.p, id);
  }

  async releaseCalls(callUuids: readonly string[]): Promise<number> {
    let n = 0;
    for (const uuid of callUuids) {
      for (const id of await this.r.smembers(this.keys.callLeases(uuid))) {
        n += await this.r.sbStep(this.p, id, 'release');
      }
    }
    return n;
  }

  async heldBy(nodeId: string = this.nodeId): Promise<string[]> {
    return this.r.smembers(this.keys.nodeLeases(nodeId));
  }
}
