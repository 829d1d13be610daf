import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, type CcaiClient, ccaiClient, ccaiTestApp } from '../api/ccai/helpers.js';
import type { TestApp } from '../helpers/app.js';
import { simOf } from './harness.js';

/**
 * Whole CCAI calls through the simulated network on the manual clock: each status transition, who hung
 * up, failures with their reasons, cascade and multicast queues, scheduled calls, and the durations the
 * test computes from the times it moved the clock.
 */
let t: TestApp;
let c: CcaiClient;
let sim: ReturnType<typeof simOf>;
let seq = 0;

const AGENT = '+12055550111';
const post = async (body: Record<string, unknown>) => {
  const res = await c.call('POST', '/apps/api/v1/calls', body);
  expect(res.status, res.text).toBe(201);
  return res.body;
};
const get = async (id: number) => (await c.call('GET', `/apps/api/v1/calls/${id}`)).body;
const iso = (ms: number) => new Date(ms).toISOString();

/** A fresh end-user number per call, so sim behaviours never leak between tests. */
const endUser = () => `+1415555${String(1000 + seq++).padStart(4, '0')}`;

async function legs(callId: number) {
  const row = await t.app.store.db
    .selectFrom('ccai_calls')
    .select('call_uuid')
    .where('id', '=', callId)
    .executeTakeFirstOrThrow();
  return t.app.store.db
    .selectFrom('call_legs')
    .selectAll()
    .where('call_uuid', '=', row.call_uuid!)
    .orderBy('started_at')
    .execute();
}
async function hangUp(callId: number, to: string) {
  const leg = (await legs(callId)).find((l) => l.to_number === to && l.ended_at === null);
  expect(leg, `a live leg to ${to}`).toBeDefined();
  await sim.legHangup(leg!.id);
}
const outbound = (number: string, email = 'e2e-agent@example.com') =>
  post({ call_type: 'Voice Outbound (API)', agent_email: email, end_user_number: number });

beforeAll(async () => {
  t = await ccaiTestApp();
  c = await ccaiClient(t);
  sim = simOf(t);
  await c.call('POST', '/apps/api/v1/outbound_numbers', { number: '+13392195276' });
  await agent(t, {
    email: 'e2e-agent@example.com',
    first_name: 'Ada',
    last_name: 'Agent',
    phone_number: AGENT,
  });
});
afterAll(() => t.close());

describe('outbound call: the agent first, then the end user', () => {
  it('assigned → connecting → connected → finished by the agent, with every time and duration', async () => {
    const number = endUser();
    const t0 = t.clock.now();
    const call = await outbound(number);
    expect(call.status).toBe('assigned');
    await sim.advance(2); // the agent answers (the sim's default: after 2 s)
    let now = await get(call.id);
    expect(now.status).toBe('connecting');
    expect(now.participants.map((p: any) => p.status)).toEqual(['connected', 'waiting']);
    await sim.advance(2); // the end user answers
    now = await get(call.id);
    expect(now).toMatchObject({
      status: 'connected',
      connected_at: iso(t0 + 4_000),
      wait_duration: 4,
      call_duration: 0,
    });
    await sim.advance(60);
    expect((await get(call.id)).call_duration).toBe(60);
    await hangUp(call.id, AGENT);
    now = await get(call.id);
    expect(now).toMatchObject({
      status: 'finished',
      disconnected_by: 'disconnected_by_agent',
      created_at: iso(t0),
      assigned_at: iso(t0),
      connected_at: iso(t0 + 4_000),
      ends_at: iso(t0 + 64_000),
      wait_duration: 4,
      call_duration: 60,
      hold_duration: 0,
      fail_reason: 'nothing',
    });
    expect(now.participants).toEqual([
      expect.objectContaining({
        type: 'agent',
        status: 'finished',
        connected_at: iso(t0 + 2_000),
        ended_at: iso(t0 + 64_000),
        call_duration: 62,
        hold_duration: 0,
      }),
      expect.objectContaining({
        type: 'end_user',
        status: 'finished',
        connected_at: iso(t0 + 4_000),
        ended_at: iso(t0 + 64_000),
        call_duration: 60,
      }),
    ]);
  });

  it('the end user hanging up: disconnected_by_end_user', async () => {
    const number = endUser();
    await sim.endpoint(number, { answer_after_s: 1, hangup_after_s: 30 });
    const call = await outbound(number);
    await sim.advance(40);
    expect(await get(call.id)).toMatchObject({
      status: 'finished',
      disconnected_by: 'disconnected_by_end_user',
      wait_duration: 3,
      call_duration: 30,
    });
  });

  it('the agent busy: failed, agent_busy, the end user never dialed', async () => {
    const busyAgent = '+12055550112';
    await agent(t, { email: 'busy@example.com', phone_number: busyAgent });
    await sim.endpoint(busyAgent, { busy: true });
    const call = await outbound(endUser(), 'busy@example.com');
    await sim.advance(5);
    const now = await get(call.id);
    expect(now).toMatchObject({ status: 'failed', fail_reason: 'agent_busy', connected_at: null });
    expect(now.participants).toEqual([
      expect.objectContaining({ type: 'agent', status: 'failed', fail_reason: 'busy' }),
      expect.objectContaining({ type: 'end_user', status: 'waiting' }),
    ]);
    expect((await legs(call.id)).length).toBe(1);
  });

  it('the agent not answering: failed after its 30 s ring, agent_no_answer, the end user never dialed', async () => {
    const silent = '+12055550113';
    await agent(t, { email: 'silent@example.com', phone_number: silent });
    await sim.endpoint(silent, { no_answer: true });
    const t0 = t.clock.now();
    const call = await outbound(endUser(), 'silent@example.com');
    await sim.advance(29);
    expect((await get(call.id)).status).toBe('assigned');
    await sim.advance(2);
    const now = await get(call.id);
    expect(now).toMatchObject({ status: 'failed', fail_reason: 'agent_no_answer', connected_at: null });
    expect(now.participants[0]).toMatchObject({ type: 'agent', status: 'failed', fail_reason: 'no_answer' });
    expect(Date.parse(now.ends_at) - t0).toBeGreaterThanOrEqual(30_000);
    expect((await legs(call.id)).length).toBe(1);
  });

  it('the end user not answering: failed after its ring time, end_user_no_answer', async () => {
    const number = endUser();
    await sim.endpoint(number, { no_answer: true });
    const t0 = t.clock.now();
    const call = await outbound(number);
    await sim.advance(46);
    expect((await get(call.id)).status).toBe('connecting');
    await sim.advance(1);
    const now = await get(call.id);
    expect(now).toMatchObject({
      status: 'failed',
      fail_reason: 'end_user_no_answer',
      ends_at: iso(t0 + 47_000),
    });
    expect(now.participants[1]).toMatchObject({ status: 'failed', fail_reason: 'no_answer' });
  });

  it('the agent hanging up while the end user rings: failed, disconnected by the agent', async () => {
    const number = endUser();
    await sim.endpoint(number, { answer_after_s: 20 });
    const call = await outbound(number);
    await sim.advance(5);
    await hangUp(call.id, AGENT);
    const now = await get(call.id);
    expect(now).toMatchObject({
      status: 'failed',
      fail_reason: 'agent_hung_up',
      disconnected_by: 'disconnected_by_agent',
    });
    expect(now.participants[1]).toMatchObject({ status: 'failed', fail_reason: 'cancelled' });
  });
});

describe('incoming call: the menu queue, then the end user', () => {
  let ids: number[];
  beforeAll(async () => {
    ids = [
      await agent(t, { email: 'q-away@example.com', phone_number: '+12055550121', status: 'unavailable' }),
      await agent(t, { email: 'q-slow@example.com', phone_number: '+12055550122' }),
      await agent(t, { email: 'q-ok@example.com', phone_number: '+12055550123' }),
      await agent(t, { email: 'q-nophone@example.com' }),
    ];
    await sim.endpoint('+12055550122', { no_answer: true });
    await sim.endpoint('+12055550123', { answer_after_s: 3 });
  });

  const menuWith = async (offer_type: string, agent_ids: number[]) =>
    (
      await c.call('POST', '/apps/api/v1/menus', {
        name: `q ${seq++}`,
        menu_type: 'ivr_menu',
        offer_type,
        agent_ids,
      })
    ).body.id;

  it('cascade: skips the unavailable agent and the one without a phone, rings the rest one after another', async () => {
    const menu = await menuWith('cascade', [ids[0], ids[3], ids[1], ids[2]]);
    const t0 = t.clock.now();
    const call = await post({ call_type: 'Voice Inbound (API)', menu_id: menu, end_user_number: endUser() });
    expect(call.status).toBe('queued');
    expect(call.offer_events).toEqual([{ casting_time: iso(t0), group: 'Group 1' }]);
    await sim.advance(30); // the slow agent's 30 s ring ends unanswered
    let now = await get(call.id);
    expect(now.status).toBe('queued');
    expect(now.offer_events).toEqual([
      { casting_time: iso(t0), group: 'Group 1' },
      { casting_time: iso(t0 + 30_000), group: 'Group 2' },
    ]);
    await sim.advance(3); // the next agent answers
    now = await get(call.id);
    expect(now).toMatchObject({
      status: 'connecting',
      assigned_at: iso(t0 + 33_000),
      agent_info: { id: ids[2] },
    });
    await sim.advance(2); // the end user answers
    now = await get(call.id);
    expect(now).toMatchObject({ status: 'connected', wait_duration: 35 });
    const agents = now.participants.filter((p: any) => p.type === 'agent');
    expect(agents).toEqual([
      expect.objectContaining({ user_id: ids[1], status: 'failed', fail_reason: 'no_answer' }),
      expect.objectContaining({ user_id: ids[2], status: 'connected' }),
    ]);
    expect(now.participants[0]).toMatchObject({ type: 'end_user', status: 'connected' });
  });

  it('multicast: rings everyone at once, the first to answer wins, the others are cancelled', async () => {
    const fast = await agent(t, { email: 'm-fast@example.com', phone_number: '+12055550131' });
    const slow = await agent(t, { email: 'm-slow@example.com', phone_number: '+12055550132' });
    await sim.endpoint('+12055550131', { answer_after_s: 1 });
    await sim.endpoint('+12055550132', { answer_after_s: 5 });
    const menu = await menuWith('multicast', [slow, fast]);
    const call = await post({ call_type: 'Voice Inbound (API)', menu_id: menu, end_user_number: endUser() });
    expect(call.offer_type).toBe('multicast');
    await sim.advance(10);
    const now = await get(call.id);
    expect(now.status).toBe('connected');
    expect(now.offer_events).toHaveLength(1);
    expect(now.agent_info.id).toBe(fast);
    expect(now.participants.filter((p: any) => p.type === 'agent')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ user_id: fast, status: 'connected' }),
        expect.objectContaining({ user_id: slow, status: 'failed', fail_reason: 'cancelled' }),
      ]),
    );
  });

  it('nobody to offer it to: failed at once, no_available_agent, nothing dialed', async () => {
    const menu = await menuWith('cascade', [ids[0], ids[3]]);
    const call = await post({ call_type: 'Voice Inbound (API)', menu_id: menu, end_user_number: endUser() });
    expect(call).toMatchObject({ status: 'failed', fail_reason: 'no_available_agent' });
  });
});

describe('scheduled calls', () => {
  let menu: number;
  beforeAll(async () => {
    const a = await agent(t, { email: 's-agent@example.com', phone_number: '+12055550141' });
    menu = (
      await c.call('POST', '/apps/api/v1/menus', { name: 'callbacks', menu_type: 'web_menu', agent_ids: [a] })
    ).body.id;
  });
  const schedule = (inSeconds: number, extra: Record<string, unknown> = {}) =>
    post({
      call_type: 'Voice Scheduled (API)',
      menu_id: menu,
      end_user_number: endUser(),
      scheduled_at: iso(t.clock.now() + inSeconds * 1000),
      ...extra,
    });

  it('fires at scheduled_at and not before, then runs as a queued call', async () => {
    const call = await schedule(3600);
    await sim.advance(3599);
    expect((await get(call.id)).status).toBe('scheduled');
    const fireAt = t.clock.now() + 1000;
    await sim.advance(1);
    let now = await get(call.id);
    expect(now).toMatchObject({
      status: 'queued',
      queued_at: iso(fireAt),
      offer_events: [{ casting_time: iso(fireAt) }],
    });
    await sim.advance(4);
    now = await get(call.id);
    expect(now).toMatchObject({ status: 'connected', wait_duration: 4 });
  });

  it('survives a restart: the job lives in the database and is armed again on start', async () => {
    const call = await schedule(600);
    t.app.ccaiCalls.stop(); // the process dies: its timers are gone
    await sim.advance(700);
    expect((await get(call.id)).status).toBe('scheduled');
    await t.app.ccaiCalls.start(); // a new process: overdue calls fire at once
    await sim.advance(0);
    expect((await get(call.id)).status).toBe('queued');
  });

  it('cancel: 200 with the call cancelled, 204 the second time, and it never rings', async () => {
    const call = await schedule(60);
    const res = await c.call('PATCH', `/apps/api/v1/calls/scheduled/${call.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: call.id, status: 'cancelled' });
    const again = await c.call('PATCH', `/apps/api/v1/calls/scheduled/${call.id}/cancel`);
    expect(again.status).toBe(204);
    expect(again.text).toBe('');
    await sim.advance(120);
    expect((await get(call.id)).status).toBe('cancelled');
    const row = await t.app.store.db
      .selectFrom('ccai_calls')
      .select('call_uuid')
      .where('id', '=', call.id)
      .executeTakeFirstOrThrow();
    expect(row.call_uuid).toBeNull();
  });

  it('bulk cancel with call_ids; one bad id cancels none', async () => {
    const a = await schedule(60);
    const b = await schedule(60);
    const bad = await c.call('PATCH', '/apps/api/v1/calls/scheduled/cancel', { call_ids: [a.id, 999_999] });
    expect(bad.status).toBe(404);
    expect((await get(a.id)).status).toBe('scheduled');
    const res = await c.call('PATCH', '/apps/api/v1/calls/scheduled/cancel', { call_ids: [a.id, b.id] });
    expect(res.status).toBe(200);
    expect(res.body.map((x: any) => [x.id, x.status])).toEqual([
      [a.id, 'cancelled'],
      [b.id, 'cancelled'],
    ]);
    const placed = await schedule(1);
    await sim.advance(2);
    const late = await c.call('PATCH', `/apps/api/v1/calls/scheduled/${placed.id}/cancel`);
    expect(late.status).toBe(400);
    expect(late.body.message).toMatch(/no longer scheduled/);
  });

  it('with call_id: parent_id, and the parent call’s menu', async () => {
    const parent = await outbound(endUser());
    const child = await post({
      call_type: 'Voice Scheduled (API)',
      call_id: parent.id,
      end_user_number: endUser(),
      scheduled_at: iso(t.clock.now() + 60_000),
    });
    expect(child).toMatchObject({ parent_id: parent.id, status: 'scheduled', selected_menu: null });
  });
});

describe('customer flags, lists, isolation', () => {
  it('GET and PATCH customer_flag (repeat_customers is the seed’s spelling of repeat_customer)', async () => {
    const call = await outbound(endUser());
    const url = `/apps/api/v1/calls/${call.id}/customer_flag`;
    expect((await c.call('GET', url)).body).toEqual({
      verified_customer: false,
      bad_actor: false,
      repeat_customer: false,
    });
    const res = await c.call('PATCH', url, {
      verified_customer: true,
      bad_actor: 'false',
      repeat_customers: true,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ verified_customer: true, bad_actor: false, repeat_customer: true });
    expect((await get(call.id)).verified).toBe(true);
    expect((await c.call('PATCH', url, { repeat_customer: false })).body.repeat_customer).toBe(false);
  });

  it('lists newest first, by status and created time; the Manager API sorts and pages', async () => {
    const before = iso(t.clock.now());
    await sim.advance(1);
    const from = iso(t.clock.now());
    const a = await outbound(endUser());
    const list = await c.call('GET', `/apps/api/v1/calls?created_at[from]=${encodeURIComponent(from)}`);
    expect(list.status, list.text).toBe(200);
    expect(list.body.map((x: any) => x.id)).toEqual([a.id]);
    const assigned = await c.call('GET', '/apps/api/v1/calls?status=assigned&per=100');
    expect(assigned.body.map((x: any) => x.id)).toContain(a.id);
    expect(assigned.body.every((x: any) => x.status === 'assigned')).toBe(true);
    for (const status of [
      'finished',
      'failed',
      'connected',
      'cancelled',
      'scheduled',
      'queued',
      'connecting',
    ]) {
      const res = await c.call('GET', `/apps/api/v1/calls?status=${status}&per=100`);
      expect(
        res.body.every((x: any) => x.status === status),
        status,
      ).toBe(true);
    }
    const manager = await c.call(
      'GET',
      '/manager/api/v1/calls?sort_column=id&sort_direction=asc&per=2&page=1',
    );
    expect(manager.status).toBe(200);
    expect(manager.body).toHaveLength(2);
    expect(manager.body[0].id).toBeLessThan(manager.body[1].id);
    expect(Number(manager.headers['x-total-count'])).toBeGreaterThan(2);
    const to = await c.call(
      'GET',
      `/manager/api/v1/calls?created_at[to]=${encodeURIComponent(before)}&per=100`,
    );
    expect(to.body.map((x: any) => x.id)).not.toContain(a.id);
  });

  it("another company's call id answers 404", async () => {
    const call = await outbound(endUser());
    const other = await t.addTenant();
    const theirs = await ccaiClient(t, other.key);
    for (const [method, url] of [
      ['GET', `/apps/api/v1/calls/${call.id}`],
      ['GET', `/apps/api/v1/calls/${call.id}/customer_flag`],
      ['PATCH', `/apps/api/v1/calls/scheduled/${call.id}/cancel`],
    ]) {
      const res = await theirs.call(method, url);
      expect(res.status, url).toBe(404);
      expect(res.body).toEqual({ message: 'Call not found' });
    }
    expect((await theirs.call('GET', '/apps/api/v1/calls')).body).toEqual([]);
  });
});
