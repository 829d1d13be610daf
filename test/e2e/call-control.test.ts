import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALL_CONTROL_ACTIONS, type KeyScope } from '../../src/domain/call-control.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { create, legsOf, record, simOf } from './harness.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const CALLER = '+13015550123';
const AGENT = '+14155550001';
const BACKUP = '+14155550002';
const TRANSFEREE = '+14155550099';

function scope(target: { id: number; number: string }, extra: Partial<KeyScope> = {}): KeyScope {
  return {
    keyId: 1,
    companyId: t.companyId,
    targetId: target.id,
    targetGroupId: null,
    targetIds: [target.id],
    numbers: [target.number],
    actions: [...CALL_CONTROL_ACTIONS],
    returnTimeoutSeconds: 60,
    ...extra,
  };
}

/** A call connected to AGENT (priority 1), with BACKUP (priority 2) behind it. */
async function connectedCall(agentAttrs: Record<string, unknown> = {}) {
  const sim = simOf(t);
  const agent = await create(t, '/targets', 'target', { number: AGENT, priority: 1, ...agentAttrs });
  const backup = await create(t, '/targets', 'target', { number: BACKUP, priority: 2 });
  const c = await create(t, '/campaigns', 'campaign', { target_ids: [agent.id, backup.id] });
  const n = await create(t, '/numbers', 'number', { afid: 'p', cid: c.cid });
  const call = await sim.call(CALLER, n.number);
  await sim.advance(2);
  expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: AGENT });
  return { sim, agent, backup, call, cc: t.app.engine.callControl };
}

const reason = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e) => e.reason ?? String(e),
  );

describe('transfers', () => {
  it('unattended: caller held, agent talks to the transferee, then the caller is conferenced in', async () => {
    const { sim, agent, call, cc } = await connectedCall();
    await sim.endpoint(TRANSFEREE, { answer_after_s: 3 });
    const { transferUuid } = await cc.transfer(call.call_uuid, scope(agent), {
      holdCaller: true,
      transferTo: TRANSFEREE,
    });
    expect((await sim.show(call.id)).hearing.kind).toBe('hold');
    await sim.advance(3);
    const shown = await sim.show(call.id);
    expect(shown.hearing.kind).toBe('hold');
    await cc.conferenceCaller(transferUuid, scope(agent));
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'conference', parties: [AGENT, TRANSFEREE] });
    const agentLeg = (await sim.show(call.id)).legs.find((l: any) => l.to === AGENT);
    await sim.legHangup(agentLeg.id);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: TRANSFEREE });
    await sim.advance(20);
    const transfereeLeg = (await sim.show(call.id)).legs.find((l: any) => l.to === TRANSFEREE);
    await sim.legHangup(transfereeLeg.id);
    const parent = await record(t, call.call_uuid);
    expect(parent).toMatchObject({ status: 'finished', hung_up_by: 'target' });
    const downstream = JSON.parse(String(parent.downstream_call_uuids));
    expect(downstream).toHaveLength(1);
    const child = await record(t, downstream[0]);
    expect(child).toMatchObject({
      upstream_call_uuid: call.call_uuid,
      dialed_number: TRANSFEREE,
      connected: 1,
      hung_up_by: 'target',
      dialed_call_duration: 20,
      hold_duration: 3,
      status: 'finished',
    });
    expect((await legsOf(t, downstream[0])).map((l) => l.to_number)).toEqual([TRANSFEREE]);
  });

  it('attended: all three are conferenced as soon as the transferee answers', async () => {
    const { sim, agent, call, cc } = await connectedCall();
    const { transferUuid } = await cc.transfer(call.call_uuid, scope(agent), {
      holdCaller: false,
      transferTo: TRANSFEREE,
    });
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: AGENT });
    await sim.advance(2);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'conference', parties: [AGENT, TRANSFEREE] });
    expect(await reason(cc.conferenceCaller(transferUuid, scope(agent)))).toBe('caller not held');
  });

  it('stop while ringing gives the caller back to the agent; stopping again is not in progress', async () => {
    const { sim, agent, call, cc } = await connectedCall();
    await sim.endpoint(TRANSFEREE, { answer_after_s: 20 });
    const { transferUuid } = await cc.transfer(call.call_uuid, scope(agent), {
      holdCaller: true,
      transferTo: TRANSFEREE,
    });
    await sim.advance(1);
    await cc.stopTransfer(transferUuid, scope(agent));
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: AGENT });
    expect(await reason(cc.stopTransfer(transferUuid, scope(agent)))).toBe('transfer not in progress');
    const rows = await t.app.store.db.selectFrom('call_transfers').selectAll().execute();
    expect(rows.map((r) => r.status)).toEqual(['stopped']);
  });

  it('will not stop a transfer once the agent left (the caller would be in dead air)', async () => {
    const { sim, agent, call, cc } = await connectedCall();
    await sim.endpoint(TRANSFEREE, { answer_after_s: 5 });
    const { transferUuid } = await cc.transfer(call.call_uuid, scope(agent), {
      holdCaller: true,
      transferTo: TRANSFEREE,
    });
    const agentLeg = (await sim.show(call.id)).legs.find((l: any) => l.to === AGENT);
    await sim.legHangup(agentLeg.id);
    expect((await sim.show(call.id)).hearing.kind).toBe('hold');
    expect(await reason(cc.stopTransfer(transferUuid, scope(agent)))).toBe('transferor not present');
    await sim.advance(5);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: TRANSFEREE });
  });

  it('caller hanging up on hold ends the transfer; conferencing afterwards says so', async () => {
    const { sim, agent, call, cc } = await connectedCall();
    await sim.endpoint(TRANSFEREE, { answer_after_s: 30 });
    const { transferUuid } = await cc.transfer(call.call_uuid, scope(agent), {
      holdCaller: true,
      transferTo: TRANSFEREE,
    });
    await sim.advance(4);
    await sim.hangup(call.id);
    expect(await reason(cc.conferenceCaller(transferUuid, scope(agent)))).toBe('caller hung up');
    expect(
      await reason(cc.transfer(call.call_uuid, scope(agent), { holdCaller: true, transferTo: TRANSFEREE })),
    ).toBe('call not live');
    const legs = (await sim.show(call.id)).legs;
    expect(legs.every((l: any) => l.state === 'ended')).toBe(true);
  });

  it('refuses a second transfer with the first handler’s key, an unknown transfer and a bad number', async () => {
    const { sim, agent, backup, call, cc } = await connectedCall();
    expect(
      await reason(
        cc.transfer(call.call_uuid, scope(agent), { holdCaller: true, transferTo: 'not a number' }),
      ),
    ).toBe('cannot dial transfer_to number');
    expect(
      await reason(cc.transfer(call.call_uuid, scope(backup), { holdCaller: true, transferTo: TRANSFEREE })),
    ).toBe('not authorized');
    await cc.transfer(call.call_uuid, scope(agent), { holdCaller: false, transferTo: TRANSFEREE });
    expect(
      await reason(
        cc.transfer(call.call_uuid, scope(agent), { holdCaller: false, transferTo: '+14155550077' }),
      ),
    ).toBe('call already transferred');
    expect(await reason(cc.stopTransfer('00000000-0000-0000-0000-000000000000', scope(agent)))).toBe(
      'transfer not found',
    );
    await sim.advance(2);
    const agentLeg = (await sim.show(call.id)).legs.find((l: any) => l.to === AGENT);
    await sim.legHangup(agentLeg.id);
    // The endpoint the call went to may transfer it on with its own key.
    const transfereeKey = scope({ id: 999, number: TRANSFEREE }, { targetIds: [] });
    const again = await cc.transfer(call.call_uuid, transfereeKey, {
      holdCaller: false,
      transferTo: '+14155550077',
    });
    expect(again.transferUuid).toMatch(/-/);
    expect(
      await reason(
        cc.transfer(call.call_uuid, scope(agent), { holdCaller: false, transferTo: '+14155550066' }),
      ),
    ).toBe('call already transferred');
  });

  it('a group key reaches its members’ calls; another company’s key reaches nothing', async () => {
    const { agent, call, cc } = await connectedCall();
    const g = await create(t, '/target_groups', 'target_group', { name: 'g', target_ids: [agent.id] });
    const groupKey = scope(agent, { targetId: null, targetGroupId: g.id });
    expect(
      (await cc.transfer(call.call_uuid, groupKey, { holdCaller: false, transferTo: TRANSFEREE }))
        .transferUuid,
    ).toBeTruthy();
    const other = await t.addTenant();
    expect(
      await reason(
        cc.transfer(
          call.call_uuid,
          scope(agent, { companyId: other.companyId, targetIds: [], numbers: [] }),
          { holdCaller: false, transferTo: TRANSFEREE },
        ),
      ),
    ).not.toBe('ok');
  });
});

describe('live call return', () => {
  it('takes the call back inside the window and routes it to the next handler; caps count the final one', async () => {
    const { sim, agent, call, cc } = await connectedCall({
      live_call_mode: 'return',
      hard_cap_attributes: { cap: 5 },
    });
    await sim.advance(10);
    await cc.returnCall(call.call_uuid, scope(agent));
    await sim.advance(2);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: BACKUP });
    const shown = await t.api('GET', `/targets/${agent.id}.json`);
    expect(shown.body.target.caps.find((c: any) => c.type === 'Hard').filled).toBe(0);
    await sim.hangup(call.id);
    expect(await record(t, call.call_uuid)).toMatchObject({
      target_id: expect.any(Number),
      dialed_number: BACKUP,
      status: 'finished',
    });
  });

  it('refuses a return after the key’s timeout, or for a target not in return mode', async () => {
    const { sim, agent, call, cc } = await connectedCall({ live_call_mode: 'return' });
    await sim.advance(61);
    expect(await reason(cc.returnCall(call.call_uuid, scope(agent)))).toBe('call not returnable');
    const plain = await connectedCall2();
    expect(await reason(cc.returnCall(plain.call.call_uuid, scope(plain.agent)))).toBe('call not returnable');
  });
});

describe('live call acceptance', () => {
  it('keeps an accepted call', async () => {
    const { sim, agent, call, cc } = await connectedCall({ live_call_mode: 'acceptance' });
    await sim.advance(5);
    await cc.acceptCall(call.call_uuid, scope(agent));
    await sim.advance(60);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: AGENT });
    expect(await reason(cc.acceptCall(call.call_uuid, scope(agent)))).toBe('call not awaiting acceptance');
  });

  it('takes an unaccepted call back when the window passes and routes it on', async () => {
    const { sim, call } = await connectedCall({ live_call_mode: 'acceptance' });
    await sim.advance(29);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: AGENT });
    await sim.advance(1);
    await sim.advance(2);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: BACKUP });
  });
});

/** A second company-free call on a target without any live-call mode. */
async function connectedCall2() {
  const sim = simOf(t);
  const agent = await create(t, '/targets', 'target', { number: '+14155550050' });
  const c = await create(t, '/campaigns', 'campaign', { target_ids: [agent.id] });
  const n = await create(t, '/numbers', 'number', { afid: 'p', cid: c.cid });
  const call = await sim.call('+13015550999', n.number);
  await sim.advance(2);
  return { agent, call };
}
