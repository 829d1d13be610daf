import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_CONTROL_ACTIONS, type KeyScope } from '../../src/domain/call-control.js';
import type { PartyRef } from '../../src/domain/party-control.js';
import { agent, type CcaiClient, ccaiClient, ccaiTestApp } from '../api/ccai/helpers.js';
import type { TestApp } from '../helpers/app.js';
import { simOf } from './harness.js';

/**
 * What other faces do to a CCAI call, as the call object shows it: holds (RingCentral's party hold, a
 * Call Control transfer holding the end user) counted on the manual clock, transfers as the seed's
 * transfer objects, and the statuses a scheduled callback can end in (recovered, deflected).
 */
let t: TestApp;
let c: CcaiClient;
let sim: ReturnType<typeof simOf>;
let seq = 0;
let agentId: number;
let otherId: number;

const AGENT = '+12055550211';
const OTHER = '+12055550212';
const iso = (ms: number) => new Date(ms).toISOString();
const endUser = () => `+1415556${String(1000 + seq++).padStart(4, '0')}`;

const post = async (body: Record<string, unknown>) => {
  const res = await c.call('POST', '/apps/api/v1/calls', body);
  expect(res.status, res.text).toBe(201);
  return res.body;
};
const get = async (id: number) => (await c.call('GET', `/apps/api/v1/calls/${id}`)).body;

async function uuidOf(callId: number): Promise<string> {
  const row = await t.app.store.db
    .selectFrom('ccai_calls')
    .select('call_uuid')
    .where('id', '=', callId)
    .executeTakeFirstOrThrow();
  return row.call_uuid!;
}

/** The live leg of the call to `to`, as a RingCentral party names it. */
async function party(callId: number, to: string): Promise<PartyRef> {
  const callUuid = await uuidOf(callId);
  const leg = await t.app.store.db
    .selectFrom('call_legs')
    .selectAll()
    .where('call_uuid', '=', callUuid)
    .where('to_number', '=', to)
    .where('ended_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { companyId: t.companyId, callUuid, legId: leg.id, direction: 'outbound', to };
}

/** A Call Control key's reach: the agent's phone (the handler of a connected CCAI call). */
const agentScope = (): KeyScope => ({
  keyId: 1,
  companyId: t.companyId,
  targetId: null,
  targetGroupId: null,
  targetIds: [],
  numbers: [AGENT],
  actions: [...CALL_CONTROL_ACTIONS],
  returnTimeoutSeconds: 0,
});

/** An outbound call connected at t0 + 4 s (agent answers after 2 s, the end user 2 s later). */
async function connectedCall() {
  const number = endUser();
  const t0 = t.clock.now();
  const call = await post({
    call_type: 'Voice Outbound (API)',
    agent_email: 'ht-agent@example.com',
    end_user_number: number,
  });
  await sim.advance(4);
  expect((await get(call.id)).status).toBe('connected');
  return { call, number, t0 };
}

beforeAll(async () => {
  t = await ccaiTestApp();
  c = await ccaiClient(t);
  sim = simOf(t);
  await c.call('POST', '/apps/api/v1/outbound_numbers', { number: '+13392195276' });
  agentId = await agent(t, { email: 'ht-agent@example.com', first_name: 'Ada', phone_number: AGENT });
  otherId = await agent(t, { email: 'ht-other@example.com', first_name: 'Bo', phone_number: OTHER });
});
afterAll(() => t.close());

describe('hold_duration', () => {
  it('counts RingCentral party holds of the end user, an open one up to the end of the call', async () => {
    const { call, number } = await connectedCall();
    await sim.advance(10);
    const eu = await party(call.id, number);
    await t.app.engine.parties.hold(eu);
    await sim.advance(15);
    let now = await get(call.id);
    expect(now.hold_duration).toBe(15); // still on hold: counted up to now
    await t.app.engine.parties.unhold(eu);
    await sim.advance(5);
    await t.app.engine.parties.hold(eu);
    await sim.advance(20);
    await sim.legHangup((await party(call.id, AGENT)).legId); // the agent hangs up, the end user held
    await sim.advance(30); // time after the end does not count
    now = await get(call.id);
    expect(now).toMatchObject({
      status: 'finished',
      hold_duration: 15 + 20,
      call_duration: 10 + 15 + 5 + 20,
    });
    const byType = Object.fromEntries(now.participants.map((p: any) => [p.type, p]));
    expect(byType.end_user.hold_duration).toBe(35);
    expect(byType.agent.hold_duration).toBe(0);
  });

  it('parties held at the same time count once on the call, each on its own participant', async () => {
    const { call, number } = await connectedCall();
    const eu = await party(call.id, number);
    const ag = await party(call.id, AGENT);
    await t.app.engine.parties.hold(eu);
    await sim.advance(10);
    await t.app.engine.parties.hold(ag);
    await sim.advance(5);
    await t.app.engine.parties.unhold(eu);
    await sim.advance(7);
    await t.app.engine.parties.unhold(ag);
    const now = await get(call.id);
    expect(now.hold_duration).toBe(10 + 5 + 7);
    const byType = Object.fromEntries(now.participants.map((p: any) => [p.type, p]));
    expect(byType.end_user.hold_duration).toBe(15);
    expect(byType.agent.hold_duration).toBe(12);
  });
});

describe('transfers', () => {
  it("Call Control transfer by the agent: the end user held, the seed's transfer object, the new agent a participant", async () => {
    await sim.endpoint(OTHER, { answer_after_s: 3 });
    const { call } = await connectedCall();
    await sim.advance(6);
    const at = t.clock.now();
    await t.app.engine.callControl.transfer(await uuidOf(call.id), agentScope(), {
      holdCaller: true,
      transferTo: OTHER,
    });
    let now = await get(call.id);
    expect(now.status).toBe('connected');
    expect(now.transfers).toEqual([
      {
        id: expect.any(Number),
        status: 'transferring',
        fail_reason: 'nothing',
        created_at: iso(at),
        from_menu: null,
        to_menu: null,
        from_agent: expect.objectContaining({ id: agentId, first_name: 'Ada' }),
        to_agent: expect.objectContaining({ id: otherId, first_name: 'Bo' }),
      },
    ]);
    const transferId = now.transfers[0].id;
    await sim.advance(3); // the other agent answers; the end user still hears music
    await sim.advance(7);
    await sim.legHangup((await party(call.id, AGENT)).legId); // the first agent leaves: handed over
    now = await get(call.id);
    expect(now.transfers).toEqual([expect.objectContaining({ id: transferId, status: 'transferred' })]);
    expect(now.hold_duration).toBe(10); // from the transfer to the hand-over
    await sim.advance(20);
    const transferee = await t.app.store.db
      .selectFrom('call_legs')
      .select('id')
      .where('to_number', '=', OTHER)
      .where('ended_at', 'is', null)
      .executeTakeFirstOrThrow();
    await sim.legHangup(transferee.id);
    now = await get(call.id);
    expect(now).toMatchObject({
      status: 'finished',
      disconnected_by: 'disconnected_by_agent',
      hold_duration: 10,
    });
    const agents = now.participants.filter((p: any) => p.type === 'agent');
    expect(agents).toEqual([
      expect.objectContaining({ user_id: agentId, status: 'finished' }),
      expect.objectContaining({ user_id: otherId, status: 'finished', call_duration: 27 }),
    ]);
    expect(now.participants.find((p: any) => p.type === 'end_user').hold_duration).toBe(10);
  });

  it('a transfer nobody answers fails with the reason; a stopped one is cancelled', async () => {
    const busy = '+12055550213';
    await sim.endpoint(busy, { busy: true });
    const { call } = await connectedCall();
    const uuid = await uuidOf(call.id);
    await t.app.engine.callControl.transfer(uuid, agentScope(), { holdCaller: true, transferTo: busy });
    await sim.advance(1);
    expect((await get(call.id)).transfers).toEqual([
      expect.objectContaining({ status: 'failed', fail_reason: 'busy', to_agent: null }),
    ]);
    await sim.endpoint(OTHER, { answer_after_s: 20 });
    const { transferUuid } = await t.app.engine.callControl.transfer(uuid, agentScope(), {
      holdCaller: true,
      transferTo: OTHER,
    });
    await sim.advance(2);
    await t.app.engine.callControl.stopTransfer(transferUuid, agentScope());
    const now = await get(call.id);
    expect(now.transfers.map((x: any) => [x.status, x.fail_reason])).toEqual([
      ['failed', 'busy'],
      ['cancelled', 'nothing'],
    ]);
    expect(now.hold_duration).toBe(1 + 2); // held while each transferee rang
  });

  it("RingCentral's party transfer of the agent sends the end user on to the number", async () => {
    await sim.endpoint(OTHER, { answer_after_s: 2 });
    const { call } = await connectedCall();
    await t.app.engine.parties.transfer(await party(call.id, AGENT), OTHER);
    await sim.advance(2);
    const now = await get(call.id);
    expect(now.status).toBe('connected');
    expect(now.transfers).toEqual([
      expect.objectContaining({ status: 'transferred', to_agent: expect.objectContaining({ id: otherId }) }),
    ]);
    expect(now.hold_duration).toBe(2);
  });
});

describe('statuses of a scheduled callback', () => {
  let menu: number;
  beforeAll(async () => {
    menu = (
      await c.call('POST', '/apps/api/v1/menus', {
        name: 'callbacks',
        menu_type: 'web_menu',
        agent_ids: [agentId],
      })
    ).body.id;
  });

  it('recovered: the callback of a failed call finished; a callback of a finished call is just finished', async () => {
    const failedNumber = endUser();
    await sim.endpoint(failedNumber, { no_answer: true });
    const failed = await post({
      call_type: 'Voice Outbound (API)',
      agent_email: 'ht-agent@example.com',
      end_user_number: failedNumber,
    });
    await sim.advance(60);
    expect((await get(failed.id)).status).toBe('failed');
    const { call: fine } = await connectedCall();
    await sim.legHangup((await party(fine.id, AGENT)).legId);
    const callback = async (parent: number) =>
      post({
        call_type: 'Voice Scheduled (API)',
        call_id: parent,
        end_user_number: endUser(),
        scheduled_at: iso(t.clock.now() + 60_000),
      });
    const recovering = await callback(failed.id);
    const plain = await callback(fine.id);
    await sim.advance(60 + 4);
    expect((await get(recovering.id)).status).toBe('connected');
    for (const id of [recovering.id, plain.id]) await sim.legHangup((await party(id, AGENT)).legId);
    expect((await get(recovering.id)).status).toBe('recovered');
    expect((await get(plain.id)).status).toBe('finished');
    const list = async (status: string) =>
      (await c.call('GET', `/apps/api/v1/calls?status=${status}&per=100`)).body.map((x: any) => x.id);
    expect(await list('recovered')).toEqual([recovering.id]);
    expect(await list('finished')).toContain(plain.id);
    expect(await list('finished')).not.toContain(recovering.id);
  });

  it('deflected: the menu is after hours, or in manual redirection, when the time comes; nothing rings', async () => {
    const schedule = () =>
      post({
        call_type: 'Voice Scheduled (API)',
        menu_id: menu,
        end_user_number: endUser(),
        scheduled_at: iso(t.clock.now() + 600_000),
      });
    const afterHours = await schedule();
    await c.call('PATCH', `/apps/api/v1/menus/${menu}`, { hours: { time_zone: 'UTC', schedule: [] } });
    const fireAt = t.clock.now() + 600_000;
    await sim.advance(600);
    let now = await get(afterHours.id);
    expect(now).toMatchObject({
      status: 'deflected',
      deflection: 'after_hours',
      queued_at: null,
      ends_at: iso(fireAt),
      participants: [expect.objectContaining({ type: 'end_user', status: 'waiting' })],
    });
    expect(await uuidOf(afterHours.id)).toBeNull();
    await c.call('PATCH', `/apps/api/v1/menus/${menu}`, { hours: null, manual_redirection: false });
    const redirected = await schedule();
    await c.call('PATCH', `/apps/api/v1/menus/${menu}`, { manual_redirection: true });
    await sim.advance(599);
    expect((await get(redirected.id)).status).toBe('scheduled');
    await sim.advance(1);
    now = await get(redirected.id);
    expect(now).toMatchObject({ status: 'deflected', deflection: 'manual_redirection' });
    const deflected = await c.call('GET', '/apps/api/v1/calls?status=deflected&per=100');
    expect(deflected.body.map((x: any) => x.id).sort()).toEqual([afterHours.id, redirected.id].sort());
    const scheduled = await c.call('GET', '/apps/api/v1/calls?status=scheduled&per=100');
    expect(scheduled.body.map((x: any) => x.id)).not.toContain(redirected.id);
    await c.call('PATCH', `/apps/api/v1/menus/${menu}`, { manual_redirection: false });
  });
});
