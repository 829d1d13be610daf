import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { CallControlError } from '../../src/domain/call-control.js';
import { NodeUnreachable } from '../../src/domain/errors.js';
import type { Claim, LiveState } from '../../src/live/live-state.js';
import { NODE_LEASE_MS } from '../../src/live/live-state.js';
import { redisLiveState } from '../../src/live/redis/index.js';

const url = process.env.TEST_REDIS_URL || process.env.REDIS_URL;
if (!url) console.log('test/live/redis-live-state: skipped, TEST_REDIS_URL (or REDIS_URL) is not set');

/** Three nodes' live states on one Redis, under a prefix of their own. */
describe.skipIf(!url)('LiveState on Redis', () => {
  const clock = new ManualClock();
  const prefix = `t-${randomBytes(4).toString('hex')}:`;
  let nodes: LiveState[];
  beforeAll(async () => {
    nodes = await Promise.all(
      ['a', 'b', 'c'].map((id) => redisLiveState({ url: url!, nodeId: id, clock, prefix })),
    );
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    const redis = new Redis(url!);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('a 1,000-way race across three nodes for a concurrency cap of 10 fills exactly 10', async () => {
    const claim: Claim = { owner: 'target:1', concurrencyCap: 10, caps: [] };
    const leases = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => nodes[i % 3].leases.tryAcquire([claim], `call-${i}`)),
    );
    const won = leases.filter((l) => l !== undefined);
    expect(won).toHaveLength(10);
    expect((await nodes[1].leases.counts(['target:1'])).get('target:1')).toBe(10);
    await Promise.all(won.map((l) => l!.release()));
    expect((await nodes[2].leases.counts(['target:1'])).get('target:1')).toBe(0);
  });

  it('cap windows: pending reservations and committed usage count, a returned call gives usage back', async () => {
    const claim: Claim = {
      owner: 'target:2',
      concurrencyCap: null,
      caps: [{ window: 'target:2:Daily:0', limit: 3, stored: 1 }],
    };
    const a = await nodes[0].leases.tryAcquire([claim], 'c1');
    const b = await nodes[1].leases.tryAcquire([claim], 'c2');
    expect(a && b).toBeTruthy();
    expect(await nodes[2].leases.tryAcquire([claim], 'c3')).toBeUndefined();
    await a!.commit();
    await b!.release();
    const c = await nodes[2].leases.tryAcquire([claim], 'c3');
    expect(c).toBeDefined();
    await c!.release();
    await a!.uncommit();
    await a!.release();
    // Only the stored usage is left: two more fit.
    const d = await nodes[0].leases.tryAcquire([claim], 'c4');
    const e = await nodes[0].leases.tryAcquire([claim], 'c5');
    expect(d && e).toBeTruthy();
    expect(await nodes[0].leases.tryAcquire([claim], 'c6')).toBeUndefined();
    // A survivor gives back the leases of a dead node's calls.
    expect(await nodes[0].leases.heldBy()).toEqual(expect.arrayContaining(['c4', 'c5']));
    expect(await nodes[1].leases.releaseCalls(await nodes[1].leases.heldBy('a'))).toBe(2);
    expect(await nodes[0].leases.heldBy()).toEqual([]);
  });

  it('holds count toward concurrency until unheld or expired', async () => {
    await nodes[0].leases.hold('reservation:r1', 'target:3', 60_000);
    await nodes[0].leases.hold('reservation:r1', 'target:3', 60_000);
    await nodes[1].leases.hold('reservation:r2', 'target:3', 1);
    await new Promise((r) => setTimeout(r, 5));
    expect((await nodes[2].leases.counts(['target:3'])).get('target:3')).toBe(1);
    await nodes[2].leases.unhold('reservation:r1');
    await nodes[2].leases.unhold('reservation:r1');
    expect((await nodes[0].leases.counts(['target:3'])).get('target:3')).toBe(0);
  });

  it('keyed locks exclude across nodes', async () => {
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        nodes[i % 3].locks.withLock('caller:1:+13015550100', async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 1));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
  });

  it('an Idempotency-Key answered on one node is replayed on another; a duplicate in flight waits', async () => {
    let runs = 0;
    const slow = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 30));
      return { status: 200, body: { success: true } };
    };
    const [first, second] = await Promise.all([
      nodes[0].idempotency.run('k1', 'POST /x', slow),
      nodes[1].idempotency.run('k1', 'POST /x', slow),
    ]);
    expect(runs).toBe(1);
    expect([first.kind, second.kind].sort()).toEqual(['first', 'replay']);
    expect(await nodes[2].idempotency.run('k1', 'POST /y', slow)).toEqual({ kind: 'mismatch' });
    await clock.advance(60_000);
    expect((await nodes[2].idempotency.run('k1', 'POST /x', slow)).kind).toBe('first');
  });

  it('rate limits count every node', async () => {
    const waits = [];
    for (let i = 0; i < 5; i++) waits.push(await nodes[i % 3].rateLimits.hit('key:9', 4));
    expect(waits.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(waits[4]).toBeGreaterThan(0);
  });

  it('the registry says who owns a call; a node that stops beating is dead', async () => {
    await nodes[0].calls.heartbeat(clock.now());
    await nodes[1].calls.heartbeat(clock.now());
    await nodes[0].calls.own('call-x');
    await nodes[0].calls.alias('transfer-x', 'call-x');
    expect(await nodes[2].calls.ownerOf('call-x')).toBe('a');
    expect(await nodes[2].calls.ownerOf('transfer-x')).toBe('a');
    await clock.advance(NODE_LEASE_MS + 1);
    await nodes[1].calls.heartbeat(clock.now());
    expect(await nodes[1].calls.deadNodes(clock.now())).toEqual(['a']);
    expect(await nodes[2].calls.alive('b', clock.now())).toBe(true);
    await nodes[1].calls.bury('a');
    expect(await nodes[1].calls.deadNodes(clock.now())).toEqual([]);
  });

  it('forwards a request to a node and brings back its answer or its typed error', async () => {
    nodes[1].links.serve(async (req) => {
      if (req.kind === 'fail') throw new CallControlError('call not live');
      return { echoed: req.body };
    });
    expect(await nodes[0].links.ask('b', { kind: 'echo', body: 7 })).toEqual({ echoed: 7 });
    await expect(nodes[2].links.ask('b', { kind: 'fail', body: null })).rejects.toEqual(
      new CallControlError('call not live'),
    );
    // A node nobody listens for fails at once, with the reason.
    await expect(nodes[0].links.ask('gone', { kind: 'echo', body: 1 })).rejects.toBeInstanceOf(
      NodeUnreachable,
    );
  });

  it('every node sees every node’s events on subscribeAll, and only its own on subscribe', async () => {
    const all: string[] = [];
    const own: string[] = [];
    const stops = [
      nodes[1].bus.subscribeAll((e) => all.push(e.callUuid)),
      nodes[1].bus.subscribe((e) => own.push(e.callUuid)),
    ];
    const ev = (uuid: string) => ({
      type: 'call.updated' as const,
      companyId: 1,
      callUuid: uuid,
      at: 0,
      status: 'x',
      step: 'y',
    });
    nodes[0].bus.publish(ev('from-a'));
    nodes[1].bus.publish(ev('from-b'));
    for (let i = 0; i < 100 && all.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(all.sort()).toEqual(['from-a', 'from-b']);
    expect(own).toEqual(['from-b']);
    for (const stop of stops) stop();
  });
});
