import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claim } from '../../src/live/live-state.js';
import { NODE_LEASE_MS } from '../../src/live/live-state.js';
import { ping, rtbSetup } from '../api/retreaver/rtb-setup.js';
import type { TestApp } from '../helpers/app.js';
import { type Cluster, MISSING, startCluster } from './cluster.js';

if (MISSING) console.log(`test/nodes: skipped, ${MISSING} (CI sets both: .ci/run)`);

const AGENT = '+14155550101';
const BACKUP = '+14155550102';
const TRANSFEREE = '+14155550199';

describe.skipIf(!!MISSING)('three nodes on one PostgreSQL and one Redis', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster(3, { DELIVERY_ALLOW: '127.0.0.1' });
  }, 180_000);
  afterAll(async () => c?.close());

  const ok = async (method: string, path: string, body?: unknown, node?: number) => {
    const res = await c.request(method, path, body, node);
    expect(res.status, `${method} ${path} on ${res.node}: ${res.text}`).toBeLessThan(300);
    return res.body;
  };
  const create = async (path: string, wrap: string, body: Record<string, unknown>) =>
    (await ok('POST', `${path}.json`, { [wrap]: body }))[wrap];
  /** Every node's simulated network gets the same phones (each node has its own network). */
  const endpoint = async (number: string, behaviour: Record<string, unknown>) => {
    for (let i = 0; i < c.nodes.length; i++)
      if (c.nodes[i].alive) await ok('POST', '/sim/endpoints', { number, ...behaviour }, i);
  };
  const callRow = (uuid: string) =>
    c.db.selectFrom('calls').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
  const inProgress = async (targetId: number, node: number) =>
    (await ok('GET', `/targets/${targetId}.json`, undefined, node)).target.calls_in_progress;
  const cc = async (method: string, path: string, key: string, body: unknown, node: number) =>
    c.request(method, `/call_control/v1${path}?api_key=${key}`, body, node);

  let agent: { id: number };
  let number: string;
  const placed: { id: string; call_uuid: string; node: number }[] = [];

  it('engine: six calls placed on three nodes share one concurrency cap of 2', async () => {
    await endpoint(AGENT, { answer_after_s: 1 });
    await endpoint(BACKUP, { answer_after_s: 1 });
    await endpoint(TRANSFEREE, { answer_after_s: 1 });
    agent = await create('/targets', 'target', { number: AGENT, priority: 1, concurrency_cap: 2 });
    const backup = await create('/targets', 'target', { number: BACKUP, priority: 2 });
    const campaign = await create('/campaigns', 'campaign', { target_ids: [agent.id, backup.id] });
    number = (await create('/numbers', 'number', { afid: 'p1', cid: campaign.cid })).number;
    for (let i = 0; i < 6; i++) {
      const call = await ok('POST', '/sim/calls', { from: `+1301555010${i}`, to: number }, i % 3);
      placed.push({ ...call, node: i % 3 });
    }
    await c.advance(2000);
    const rows = await Promise.all(placed.map((p) => callRow(p.call_uuid)));
    expect(rows.map((r) => r.owner_process)).toEqual(placed.map((p) => `node-${p.node}`));
    expect(rows.filter((r) => r.target_id === agent.id)).toHaveLength(2);
    expect(rows.filter((r) => r.target_id === backup.id)).toHaveLength(4);
    // Every node reads the same live count.
    for (const node of [0, 1, 2]) expect(await inProgress(agent.id, node)).toBe(2);
  });

  it('call control: a transfer asked on one node and a conference on another run on the owning node', async () => {
    const key = (await ok('POST', '/call_control_keys.json', { target_id: agent.id })).call_control_key.key;
    const rows = await Promise.all(placed.map((p) => callRow(p.call_uuid)));
    const mine = placed[rows.findIndex((r) => r.target_id === agent.id)];
    const owner = mine.node;
    const other = (owner + 1) % 3;
    const transfer = await cc(
      'POST',
      `/calls/${mine.call_uuid}/transfer.json`,
      key,
      { hold_caller: true, transfer_to: TRANSFEREE },
      other,
    );
    expect([transfer.status, transfer.body.success]).toEqual([200, true]);
    await c.advance(2000);
    const third = (owner + 2) % 3;
    const conf = await cc(
      'POST',
      `/transfers/${transfer.body.transfer_uuid}/conference_caller.json`,
      key,
      undefined,
      third,
    );
    expect([conf.status, conf.body]).toEqual([200, { success: true }]);
    const shown = await ok('GET', `/sim/calls/${mine.id}`, undefined, owner);
    expect(shown.hearing).toEqual({ kind: 'conference', parties: [AGENT, TRANSFEREE] });
    // A call no node runs is "call not live" from any node.
    const gone = await cc(
      'POST',
      '/calls/00000000-0000-0000-0000-000000000000/transfer.json',
      key,
      { hold_caller: true, transfer_to: TRANSFEREE },
      third,
    );
    expect(gone.body).toEqual({ success: false, error: 'call not live' });
  });

  it('party control: hold and unhold asked on other nodes act on the owner’s call', async () => {
    const rows = await Promise.all(placed.map((p) => callRow(p.call_uuid)));
    const i = rows.findIndex(
      (r, k) => r.target_id !== null && placed[k].node === 0 && r.status === 'in-progress',
    );
    const uuid = placed[i].call_uuid;
    const leg = await c.db
      .selectFrom('call_legs')
      .selectAll()
      .where('call_uuid', '=', uuid)
      .where('direction', '=', 'outbound')
      .where('status', '=', 'answered')
      .executeTakeFirstOrThrow();
    const ref = {
      companyId: c.companyId,
      callUuid: uuid,
      legId: leg.id,
      direction: 'outbound' as const,
      to: leg.to_number,
    };
    const status = async () =>
      (await c.db.selectFrom('call_legs').select('status').where('id', '=', leg.id).executeTakeFirstOrThrow())
        .status;
    await c.nodes[1].app.engine.parties.hold(ref);
    expect(await status()).toBe('hold');
    await c.nodes[2].app.engine.parties.unhold(ref);
    expect(await status()).toBe('answered');
  });

  it('hanging up everywhere gives every slot back', async () => {
    for (const p of placed) await ok('POST', `/sim/calls/${p.id}/hangup`, undefined, p.node);
    await c.advance(1000);
    for (const node of [0, 1, 2]) expect(await inProgress(agent.id, node)).toBe(0);
    const live = await c.db.selectFrom('calls').select('uuid').where('status', '=', 'in-progress').execute();
    expect(live).toEqual([]);
  });

  it('RTB: 30 pings for one caller spread over the nodes hold one reservation (the shield is shared)', async () => {
    const t = asTestApp(c);
    const s = await rtbSetup(t, { targets: [{}], cid: 'rtbnodes' });
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        ping(t, { key: s.key, publisher_id: s.afid, caller_number: '+13015550777' }),
      ),
    );
    expect(new Set(answers.map((a) => a.body.status))).toEqual(new Set(['reserved']));
    expect(new Set(answers.map((a) => a.body.call_reservation_uuid ?? a.body.uuid)).size).toBe(1);
    const rows = await c.db
      .selectFrom('reservations')
      .select('status')
      .where('caller_number', '=', '+13015550777')
      .execute();
    expect(rows).toEqual([{ status: 'reserved' }]);
  });

  it('RTB: 60 pings for a buyer capped at 10 concurrent, reservations counting, reserve exactly 10', async () => {
    const t = asTestApp(c);
    const s = await rtbSetup(t, {
      targets: [{ concurrency_cap: 10 }],
      cid: 'rtbcap',
      pool: { max_pool_size: 100 },
      key: { add_to_caps_on_status_reserved: true },
    });
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        ping(t, {
          key: s.key,
          publisher_id: s.afid,
          caller_number: `+130155520${String(i).padStart(2, '0')}`,
        }),
      ),
    );
    const statuses = answers.map((a) => a.body.status);
    expect(statuses.filter((x) => x === 'reserved')).toHaveLength(10);
    expect(statuses.filter((x) => x === 'no-target')).toHaveLength(50);
  });

  it('a 1,000-way race over the three nodes’ live states for a cap of 10 fills exactly 10', async () => {
    const claim: Claim = {
      owner: 'target:999999',
      concurrencyCap: null,
      caps: [{ window: 'target:999999:Daily:0', limit: 10, stored: 0 }],
    };
    const leases = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => c.nodes[i % 3].app.live.leases.tryAcquire([claim], `race-${i}`)),
    );
    const won = leases.filter((l) => l !== undefined);
    expect(won).toHaveLength(10);
    for (const l of won) await l!.commit();
    expect(await c.nodes[1].app.live.leases.tryAcquire([claim], 'late')).toBeUndefined();
    for (const l of won) await l!.release();
  });

  it('an outbox backlog is delivered once, whichever node sends it', async () => {
    const seen: string[] = [];
    const server: Server = createServer((req, res) => {
      seen.push(String(req.headers['x-switchboard-delivery']));
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const outbox = c.nodes[0].app.delivery.outbox;
      await c.db.transaction().execute(async (tx) => {
        for (let i = 0; i < 60; i++)
          await outbox.enqueue(tx, {
            companyId: c.companyId,
            kind: 'webhook',
            method: 'POST',
            url: `http://127.0.0.1:${port}/hook/${i}`,
            body: '{}',
          } as never);
      });
      for (const x of c.nodes) x.app.delivery.worker.kick();
      for (let i = 0; i < 200 && seen.length < 60; i++) await new Promise((r) => setTimeout(r, 25));
      await Promise.all(c.nodes.map((x) => x.app.delivery.worker.drain()));
      expect(seen).toHaveLength(60);
      expect(new Set(seen).size).toBe(60);
    } finally {
      server.close();
    }
  });

  it('a node killed mid-call: a survivor ends its call within 30 s, events fire, the slot comes back', async () => {
    const call = await ok('POST', '/sim/calls', { from: '+13015550888', to: number }, 2);
    await c.advance(2000);
    const before = await callRow(call.call_uuid);
    expect([before.status, before.target_id, before.owner_process]).toEqual([
      'in-progress',
      agent.id,
      'node-2',
    ]);
    expect(await inProgress(agent.id, 0)).toBe(1);
    const key = (await ok('POST', '/call_control_keys.json', { target_id: agent.id })).call_control_key.key;
    const ended: string[] = [];
    for (const x of c.nodes.slice(0, 2))
      x.app.bus.subscribe((e) => {
        if (e.type === 'call.ended') ended.push(e.callUuid);
      });
    await c.kill(2);
    // Until a survivor takes the call over, a command for it says the node is not answering.
    const asked = await cc(
      'POST',
      `/calls/${call.call_uuid}/transfer.json`,
      key,
      { transfer_to: TRANSFEREE },
      0,
    );
    expect(asked.status).toBe(503);
    expect(asked.body.error).toMatch(/node-2.*not answering/);
    await c.advance(NODE_LEASE_MS + 10_000);
    const after = await callRow(call.call_uuid);
    expect(after).toMatchObject({ status: 'finished', hung_up_by: 'system', end_reason: 'node lost' });
    expect(['node-0', 'node-1']).toContain(after.owner_process);
    expect(Number(after.end_time)).toBeLessThanOrEqual(Number(before.updated_at) + 5_000);
    const legs = await c.db
      .selectFrom('call_legs')
      .selectAll()
      .where('call_uuid', '=', call.call_uuid)
      .execute();
    expect(legs.every((l) => l.ended_at !== null)).toBe(true);
    expect(await inProgress(agent.id, 0)).toBe(0);
    expect(await inProgress(agent.id, 1)).toBe(0);
    // One survivor ended it, once, as any ended call: its end event went out from there.
    expect(ended).toEqual([call.call_uuid]);
    const again = await c.nodes[0].app.engine.takeOverDeadNodes();
    expect(again).toBe(0);
    const gone = await cc(
      'POST',
      `/calls/${call.call_uuid}/transfer.json`,
      key,
      { transfer_to: TRANSFEREE },
      1,
    );
    expect(gone.body).toEqual({ success: false, error: 'call not live' });
  });
});

/** The cluster as rtb-setup's helpers expect a test app: requests go round the nodes. */
function asTestApp(c: Cluster): TestApp {
  return {
    api: async (method: string, url: string, body?: unknown, opts: { key?: string | null } = {}) => {
      const u = new URL(url, 'http://x');
      if (opts.key !== null) u.searchParams.set('api_key', opts.key ?? c.key);
      else u.searchParams.set('api_key', '');
      const res = await c.request(
        method,
        (u.pathname + u.search).replace(/[?&]api_key=(&|$)/, '$1').replace(/[?&]$/, ''),
        body,
      );
      return { ...res, headers: {} };
    },
  } as unknown as TestApp;
}
