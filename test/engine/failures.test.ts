import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALL_CONTROL_ACTIONS, type KeyScope } from '../../src/domain/call-control.js';
import type { EndpointBehaviour } from '../../src/telephony/sim/endpoints.js';
import { create, legsOf, record } from '../e2e/harness.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { chaosRig } from './rig.js';

/** One named test per failure case of the driver contract (issue "The engine, ready for real networks"). */
let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const CALLER = '+13015550123';
const A = '+14155550001';
const B = '+14155550002';
const TRANSFEREE = '+14155550099';

type Rig = ReturnType<typeof chaosRig>;

function endpoint(rig: Rig, number: string, b: Partial<EndpointBehaviour>) {
  rig.sim.endpoints.set(number, { ...rig.sim.endpoints.get('none'), ...b });
}

/** A number whose campaign routes to targets A (priority 1) and B (priority 2). */
async function twoTargets(campaign: Record<string, unknown> = {}, attrs: Record<string, unknown> = {}) {
  const a = await create(t, '/targets', 'target', { number: A, priority: 1, timeout_seconds: 20, ...attrs });
  const b = await create(t, '/targets', 'target', { number: B, priority: 2, timeout_seconds: 20, ...attrs });
  const c = await create(t, '/campaigns', 'campaign', { name: 'c', target_ids: [a.id, b.id], ...campaign });
  const n = await create(t, '/numbers', 'number', { afid: 'p', cid: c.cid });
  return { a, b, number: n.number as string };
}

function scope(target: { id: number; number: string }): KeyScope {
  return {
    keyId: 1,
    companyId: t.companyId,
    targetId: target.id,
    targetGroupId: null,
    targetIds: [target.id],
    numbers: [target.number],
    actions: [...CALL_CONTROL_ACTIONS],
    returnTimeoutSeconds: 60,
  };
}

const reason = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e) => e.reason ?? String(e),
  );

function noLeases(rig: Rig, ids: number[]) {
  for (const id of ids) expect(rig.occupancy.inProgress(`target:${id}`), `target ${id}`).toBe(0);
}

describe('failed commands', () => {
  it('a failed originate goes on to the next target, with the reason on the leg', async () => {
    const rig = chaosRig(t);
    const { a, b, number } = await twoTargets();
    rig.chaos.commandRules.push({ command: 'originate', times: 1, mode: 'fail' });
    const call = await rig.call(CALLER, number);
    await rig.clock.advance(3000);
    const legs = await legsOf(t, call.callUuid);
    expect(legs.slice(1).map((l) => [l.to_number, l.status, l.end_reason])).toEqual([
      [A, 'failed', 'originate failed: originate refused: chaos'],
      [B, 'answered', null],
    ]);
    rig.sim.hangupFromNetwork(call.inLeg);
    await rig.clock.advance(0);
    expect(await record(t, call.callUuid)).toMatchObject({ status: 'finished', target_id: b.id });
    noLeases(rig, [a.id, b.id]);
  });

  it('an originate that never completes times out and the next target is tried', async () => {
    const rig = chaosRig(t);
    const { b, number } = await twoTargets();
    rig.chaos.commandRules.push({ command: 'originate', times: 1, mode: 'stall' });
    const call = await rig.call(CALLER, number);
    await rig.clock.advance(5000 + 2000);
    const legs = await legsOf(t, call.callUuid);
    expect(legs[1]).toMatchObject({
      to_number: A,
      status: 'failed',
      end_reason: 'originate failed: originate timeout',
    });
    expect(legs[2]).toMatchObject({ to_number: B, status: 'answered' });
    expect((await record(t, call.callUuid)).target_id).toBe(b.id);
  });

  it('a failed bridge is tried once more, and the call connects', async () => {
    const rig = chaosRig(t);
    const { a, number } = await twoTargets();
    rig.chaos.commandRules.push({ command: 'bridge', times: 1, mode: 'fail' });
    const call = await rig.call(CALLER, number);
    await rig.clock.advance(2000);
    expect(rig.sim.leg(call.inLeg).bridgedWith).toBe(rig.outbound(call.id)[0].id);
    expect(await record(t, call.callUuid)).toMatchObject({ connected: 1, target_id: a.id });
  });

  it('a bridge that fails twice hangs that leg up with the reason and goes on to the next target', async () => {
    const rig = chaosRig(t);
    const { a, b, number } = await twoTargets();
    rig.chaos.commandRules.push({ command: 'bridge', times: 2, mode: 'fail' });
    const call = await rig.call(CALLER, number);
    await rig.clock.advance(2000 + 2000);
    const [first, second] = rig.outbound(call.id);
    expect(first.state).toBe('ended');
    expect(rig.sim.leg(call.inLeg).bridgedWith).toBe(second.id);
    const legs = await legsOf(t, call.callUuid);
    expect(legs[1]).toMatchObject({
      to_number: A,
      status: 'failed',
      end_reason: 'bridge failed: bridge refused: chaos',
    });
    expect(await record(t, call.callUuid)).toMatchObject({ connected: 1, target_id: b.id });
    noLeases(rig, [a.id]);
  });

  it('with no target left after a failed bridge, the caller is hung up, not left in silence', async () => {
    const rig = chaosRig(t);
    const a = await create(t, '/targets', 'target', { number: A });
    const c = await create(t, '/campaigns', 'campaign', { name: 'c', target_ids: [a.id] });
    const n = await create(t, '/numbers', 'number', { afid: 'p', cid: c.cid });
    rig.chaos.commandRules.push({ command: 'bridge', times: 2, mode: 'fail' });
    const call = await rig.call(CALLER, n.number);
    await rig.clock.advance(2000);
    expect(rig.sim.leg(call.inLeg).state).toBe('ended');
    expect(await record(t, call.callUuid)).toMatchObject({ status: 'no-target', hung_up_by: 'system' });
    noLeases(rig, [a.id]);
  });

  it('a hold the network refuses answers the transfer with "telephony failure" and keeps the call as it was', async () => {
    const rig = chaosRig(t);
    const { a, number } = await twoTargets();
    const call = await rig.call(CALLER, number);
    await rig.clock.advance(2000);
    const agentLeg = rig.outbound(call.id)[0].id;
    rig.chaos.commandRules.push({ command: 'hold', times: 1, mode: 'fail' });
    const answer = await reason(
      rig.engine.callControl.transfer(call.callUuid, scope(a), { holdCaller: true, transferTo: TRANSFEREE }),
    );
    await rig.clock.settle();
    expect(answer).toBe('telephony failure');
    expect(rig.sim.leg(call.inLeg).bridgedWith).toBe(agentLeg);
    const transfers = await t.app.store.db.selectFrom('call_transfers').selectAll().execute();
    expect(transfers.map((x) => x.status)).toEqual(['failed']);
    // The failed transfer does not block a new one.
    endpoint(rig, TRANSFEREE, { answerAfterS: 1 });
    const again = await reason(
      rig.engine.callControl.transfer(call.callUuid, scope(a), { holdCaller: false, transferTo: TRANSFEREE }),
    );
    expect(again).toBe('ok');
  });

  it('a conference the network refuses answers conference_caller with "telephony failure"; the caller stays held', async () => {
    const rig = chaosRig(t);
    const { a, number } = await twoTargets();
    const call = await rig.call(CALLER, number);
    await rig.clock.advance(2000);
    endpoint(rig, TRANSFEREE, { answerAfterS: 1 });
    const { transferUuid } = await rig.engine.callControl.transfer(call.callUuid, scope(a), {
      holdCaller: true,
      transferTo: TRANSFEREE,
    });
    await rig.clock.advance(1000);
    rig.chaos.commandRules.push({ command: 'conference', times: 1, mode: 'fail' });
    expect(await reason(rig.engine.callControl.conferenceCaller(transferUuid, scope(a)))).toBe(
      'telephony failure',
    );
    await rig.clock.settle();
    expect(rig.sim.leg(call.inLeg).holdMusic).toBe('default');
    // Asked again once the network works, it goes through.
    expect(await reason(rig.engine.callControl.conferenceCaller(transferUuid, scope(a)))).toBe('ok');
  });

  it('a transfer whose dial the network refuses answers "telephony failure"', async () => {
    const rig = chaosRig(t);
    const { a, number } = await twoTargets();
    const call = await rig.call(CALLER, number);
    await rig.clock.advance(2000);
    rig.chaos.commandRules.push({ command: 'originate', times: 1, mode: 'fail' });
    const answer = await reason(
      rig.engine.callControl.transfer(call.callUuid, scope(a), { holdCaller: true, transferTo: TRANSFEREE }),
    );
    expect(answer).toBe('telephony failure');
    expect(rig.sim.leg(call.inLeg).holdMusic).toBeNull();
  });

  it('an incoming call the network will not answer ends at once, recorded', async () => {
    const rig = chaosRig(t);
    const { number } = await twoTargets();
    rig.chaos.commandRules.push({ command: 'answer', times: 1, mode: 'fail' });
    const call = await rig.call(CALLER, number);
    expect(await record(t, call.callUuid)).toMatchObject({ status: 'finished', hung_up_by: 'system' });
    expect(rig.engine.liveCalls()).toBe(0);
  });
});

describe('lost and late events', () => {
  it('a lost noAnswer: the engine gives up after the target timeout plus its margin and dials the next', async () => {
    const rig = chaosRig(t);
    const { b, number } = await twoTargets({}, { timeout_seconds: 10 });
    endpoint(rig, A, { noAnswer: true });
    rig.chaos.eventRules.push({ type: 'noAnswer', times: 1, mode: 'drop' });
    const call = await rig.call(CALLER, number);
    await rig.clock.advance(10_000);
    expect(rig.outbound(call.id)).toHaveLength(1);
    await rig.clock.advance(5000 + 2000);
    const legs = await legsOf(t, call.callUuid);
    expect(legs[1]).toMatchObject({ to_number: A, status: 'no-answer', end_reason: 'ring timeout' });
    expect((await record(t, call.callUuid)).target_id).toBe(b.id);
  });

  it('a lost playDone: the greeting wait ends after the prompt length plus a margin', async () => {
    const rig = chaosRig(t);
    const { number } = await twoTargets({ message: 'one two three four five', repeat: 1 });
    rig.chaos.eventRules.push({ type: 'playDone', times: 1, mode: 'drop' });
    const call = await rig.call(CALLER, number);
    await rig.clock.advance(2000 + 5000 + 5000 - 1);
    expect(rig.sim.leg(call.inLeg).state).toBe('answered');
    await rig.clock.advance(1);
    // Past the prompt's deadline the menu's last-key grace runs, then the call ends for want of a key.
    await rig.clock.advance(5000);
    expect(await record(t, call.callUuid)).toMatchObject({ status: 'finished', hung_up_by: 'system' });
  });

  it("a late playDone of an earlier prompt is dropped by its command id, not taken for the next one's", async () => {
    const rig = chaosRig(t);
    const { number } = await twoTargets({ message: 'one two three four five', repeat: 2 });
    // The first prompt (2 s) ends at 2 s but its playDone only arrives at 8 s: the engine gave up on it
    // at 7 s (length + margin) and plays the second one until 9 s, then listens 5 s for a key.
    rig.chaos.eventRules.push({ type: 'playDone', times: 1, mode: { delayMs: 6000 } });
    const call = await rig.call(CALLER, number);
    await rig.clock.advance(13_500);
    // Taken for the second prompt's end, the stale event would have ended the call at 13 s.
    expect(rig.sim.leg(call.inLeg).state).toBe('answered');
    await rig.clock.advance(500);
    expect(await record(t, call.callUuid)).toMatchObject({ status: 'finished', total_duration: 14 });
    expect(rig.chaos.sent.filter(([name]) => name === 'play')).toHaveLength(2);
  });

  it('events for legs nobody knows are ignored', async () => {
    const rig = chaosRig(t);
    const { number } = await twoTargets();
    const call = await rig.call(CALLER, number);
    rig.engine.event({ type: 'answered', leg: 'no-such-leg' });
    rig.engine.event({ type: 'hangup', leg: 'no-such-leg', by: 'target' });
    await rig.clock.advance(2000);
    expect(await record(t, call.callUuid)).toMatchObject({ connected: 1 });
  });

  it('an answer arriving after the engine cancelled the leg is dropped and the leg stays cancelled', async () => {
    const rig = chaosRig(t, { lateAnswer: 1 });
    const { a, b, number } = await twoTargets();
    endpoint(rig, A, { answerAfterS: 30 });
    const call = await rig.call(CALLER, number);
    await rig.clock.advance(1000);
    rig.sim.hangupFromNetwork(call.inLeg);
    await rig.clock.advance(2000);
    const legs = await legsOf(t, call.callUuid);
    expect(legs.slice(1).map((l) => l.status)).toEqual(['cancelled']);
    expect(await record(t, call.callUuid)).toMatchObject({ status: 'finished', hung_up_by: 'caller' });
    noLeases(rig, [a.id, b.id]);
  });

  it("the caller's hang-up while the call is still being set up is not lost", async () => {
    const rig = chaosRig(t);
    const { number } = await twoTargets();
    // The hang-up reaches the engine while `incoming` is still writing the call.
    rig.chaos.duringSetUp = (c) => rig.sim.hangupFromNetwork(c.leg);
    const placed = await rig.sim.placeCall(CALLER, number);
    await rig.clock.advance(5000);
    expect(await record(t, placed.callUuid)).toMatchObject({ status: 'finished', hung_up_by: 'caller' });
    expect(rig.chaos.sent.filter(([name]) => name === 'originate')).toHaveLength(0);
    expect(rig.engine.liveCalls()).toBe(0);
  });

  it("a flood of events never pushes out the caller's hang-up", async () => {
    const rig = chaosRig(t);
    const { number } = await twoTargets();
    const call = await rig.call(CALLER, number);
    await rig.clock.advance(2000);
    rig.sim.hangupFromNetwork(call.inLeg);
    for (let i = 0; i < 500; i++) rig.engine.event({ type: 'dtmf', leg: call.inLeg, digit: '1' });
    await rig.clock.advance(0);
    expect(await record(t, call.callUuid)).toMatchObject({ status: 'finished', hung_up_by: 'caller' });
  });
});

describe('limits and leases', () => {
  it('a call still live at the hard length limit is ended by the engine', async () => {
    const rig = chaosRig(t, { maxCallSeconds: 60 });
    const { a, number } = await twoTargets();
    const call = await rig.call(CALLER, number);
    await rig.clock.advance(60_000);
    expect(rig.sim.leg(call.inLeg).state).toBe('ended');
    expect(rig.outbound(call.id)[0].state).toBe('ended');
    expect(await record(t, call.callUuid)).toMatchObject({
      status: 'finished',
      hung_up_by: 'system',
      total_duration: 60,
    });
    noLeases(rig, [a.id]);
  });

  it('leases are released when the connected phase throws', async () => {
    const rig = chaosRig(t);
    const { a, number } = await twoTargets();
    const forCampaign = t.app.services.webhooks.forCampaign.bind(t.app.services.webhooks);
    let calls = 0;
    // The second webhook lookup is call_connected's: make it blow up.
    t.app.services.webhooks.forCampaign = async (id: number) => {
      if (++calls === 2) throw new Error('database went away');
      return forCampaign(id);
    };
    await rig.call(CALLER, number);
    await rig.clock.advance(2000);
    expect(rig.logs.some((l) => l.msg === 'call script failed')).toBe(true);
    noLeases(rig, [a.id]);
    expect(rig.engine.liveCalls()).toBe(0);
  });
});
