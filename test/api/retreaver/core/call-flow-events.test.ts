import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { create, simOf } from '../../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

/** Issue 18.2: `call_flow_events=true` on V1, V2 and V3 adds each call's journey, recorded as it happened. */
let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const CALLER = '+13015550123';

/**
 * Six buyers: one paused, one for gold callers only (skipped by routing), then three that fail three
 * different ways (busy, no answer, rejected) before the last answers; the call then converts.
 */
async function failoverCall() {
  const sim = simOf(t);
  const target = (number: string, attrs: Record<string, unknown>) =>
    create(t, '/targets', 'target', { number, timeout_seconds: 5, ...attrs });
  const paused = await target('+14155550010', { priority: 1, paused: true });
  const gold = await target('+14155550011', { priority: 1, tag_list: '<<<tier:gold>>>' });
  const busy = await target('+14155550001', { priority: 2 });
  const silent = await target('+14155550002', { priority: 3 });
  const rejecting = await target('+14155550003', { priority: 4 });
  const taker = await target('+14155550004', { priority: 5 });
  await sim.endpoint(busy.number, { busy: true });
  await sim.endpoint(silent.number, { no_answer: true });
  await sim.endpoint(rejecting.number, { reject: true });
  await sim.endpoint(taker.number, { answer_after_s: 1 });
  const ids = [paused, gold, busy, silent, rejecting, taker].map((x) => x.id);
  await create(t, '/campaigns', 'campaign', { cid: 'flow', target_ids: ids, timers_attributes: [] });
  await create(t, '/campaigns/cid/flow/conversion_rules', 'conversion_rule', {
    seconds: 10,
    revenue: 5,
    payout: 2,
  });
  const n = await create(t, '/numbers', 'number', { afid: 'p', cid: 'flow' });
  const call = await sim.call(CALLER, n.number);
  await sim.advance(20);
  await sim.advance(30);
  await sim.hangup(call.id);
  return { call, paused, gold, busy, silent, rejecting, taker };
}

describe('call_flow_events=true', () => {
  it('V3 get: the journey of a call that failed over across three targets for three reasons, then converted', async () => {
    const { call, paused, gold, busy, silent, rejecting, taker } = await failoverCall();
    const res = await t.api('GET', `/api/v3/calls/${call.call_uuid}.json?call_flow_events=true`);
    expect(res.status).toBe(200);
    expect(res.body.call.converted).toBe(true);
    const events = res.body.call.call_flow_events as { at: string; type: string; details: any }[];
    const types = events.map((e) => e.type);
    expect(types).toEqual([
      'started',
      'screened',
      'routing_decision',
      'dialled',
      'busy',
      'dialled',
      'ringing',
      'no_answer',
      'dialled',
      'failed',
      'dialled',
      'ringing',
      'answered',
      'connected',
      'leg_ended',
      'conversion_decided',
      'ended',
    ]);
    const at = events.map((e) => Date.parse(e.at));
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const routing = events.find((e) => e.type === 'routing_decision')!.details.considered;
    const byId = Object.fromEntries(routing.map((c: any) => [c.id, c]));
    expect(byId[paused.id]).toMatchObject({ eligible: false, reason: 'paused' });
    expect(byId[gold.id]).toMatchObject({
      eligible: false,
      reason: 'tags not matched',
      detail: { wants: ['tier==gold'] },
    });
    for (const x of [busy, silent, rejecting, taker]) expect(byId[x.id].eligible).toBe(true);
    const dialled = events.filter((e) => e.type === 'dialled').map((e) => e.details.to);
    expect(dialled).toEqual([busy.number, silent.number, rejecting.number, taker.number]);
    // Ringing is its own step, when the network says the far end rings (a busy or rejecting phone never
    // does), naming the target; the dial itself is not yet ringing.
    const ringing = events.filter((e) => e.type === 'ringing');
    expect(ringing.map((e) => e.details.target_id)).toEqual([silent.id, taker.id]);
    expect(ringing[1].details).toMatchObject({ to: taker.number, status: 'ringing', target_group_id: null });
    const takerDial = events.find((e) => e.type === 'dialled' && e.details.to === taker.number)!;
    expect(takerDial.details).toMatchObject({ target_id: taker.id, status: 'dialing' });
    expect(ringing[1].details.leg_id).toBe(takerDial.details.leg_id);
    expect(events.find((e) => e.type === 'failed')!.details.status).toBe('rejected');
    expect(events.find((e) => e.type === 'conversion_decided')!.details).toMatchObject({
      converted: true,
      revenue: 5,
      payout: 2,
      conversion_seconds: 10,
    });
    expect(events.at(-1)!.details).toEqual({ status: 'finished', hung_up_by: 'caller' });
  });

  it('V1 and V2 (list and get) show the same journey; without the parameter there is none', async () => {
    const { call } = await failoverCall();
    const v3 = (await t.api('GET', `/api/v3/calls/${call.call_uuid}.json?call_flow_events=true`)).body.call
      .call_flow_events;
    for (const path of [`/calls/${call.call_uuid}.json`, `/api/v2/calls/${call.call_uuid}.json`]) {
      expect((await t.api('GET', `${path}?call_flow_events=true`)).body.call.call_flow_events, path).toEqual(
        v3,
      );
      expect((await t.api('GET', path)).body.call.call_flow_events, path).toBeUndefined();
    }
    for (const path of ['/calls.json', '/api/v2/calls.json', '/api/v3/calls.json']) {
      const list = await t.api('GET', `${path}?caller=${encodeURIComponent(CALLER)}&call_flow_events=true`);
      expect(list.body[0].call.call_flow_events, path).toEqual(v3);
    }
    const xml = await t.api('GET', `/api/v3/calls/${call.call_uuid}.xml?call_flow_events=true`);
    expect(xml.text).toMatch(/<call-flow-events type="array">\s*<call-flow-event>/);
  });
});
