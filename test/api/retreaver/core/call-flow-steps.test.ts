import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALL_CONTROL_ACTIONS, type KeyScope } from '../../../../src/domain/call-control.js';
import { create, simOf } from '../../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

/**
 * Issue 18.2, the steps the first round left out: each pixel and webhook with its delivery status, each
 * key pressed, hold and conference inside a transfer, a target skipped as already tried, screening.
 */
let t: TestApp;
let server: http.Server;
let base: string;
const hits: string[] = [];

beforeEach(async () => {
  hits.length = 0;
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      res.statusCode = req.url?.startsWith('/fail') ? 500 : 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await createTestApp({ DELIVERY_ALLOW: '127.0.0.1' });
});
afterEach(async () => {
  await t.close();
  await new Promise<void>((r) => server.close(() => r()));
});

const CALLER = '+13015550123';
type FlowEvent = { at: string; type: string; details: any };

async function journey(uuid: string): Promise<FlowEvent[]> {
  const res = await t.api('GET', `/api/v3/calls/${uuid}.json?call_flow_events=true`);
  expect(res.status).toBe(200);
  return res.body.call.call_flow_events;
}

async function campaignTo(targets: { id: number }[], attrs: Record<string, unknown> = {}) {
  const c = await create(t, '/campaigns', 'campaign', {
    target_ids: targets.map((x) => x.id),
    timers_attributes: [],
    ...attrs,
  });
  const n = await create(t, '/numbers', 'number', { afid: 'p', cid: c.cid });
  return { campaign: c, number: n.number as string };
}

describe('pixels and webhooks', () => {
  it('records each one fired, then delivered with its HTTP status, or failed after its last attempt', async () => {
    const sim = simOf(t);
    const target = await create(t, '/targets', 'target', { number: '+14155550001' });
    const { campaign, number } = await campaignTo([target], {
      timers_attributes: [{ seconds: 0, url: `${base}/click` }],
    });
    await create(t, `/campaigns/cid/${campaign.cid}/webhooks`, 'webhook', {
      name: 'CRM',
      url: `${base}/fail`,
      events: ['call_ended'],
    });
    const call = await sim.call(CALLER, number);
    await sim.advance(10);
    await sim.hangup(call.id);
    await t.app.delivery.worker.drain();
    // Eight attempts on the backoff schedule (capped at 600 s): the manual clock moves them along.
    for (let i = 0; i < 8; i++) {
      await t.clock.advance(600_000);
      await t.app.delivery.worker.drain();
    }
    expect(hits.filter((h) => h === '/fail')).toHaveLength(8);

    const events = await journey(call.call_uuid);
    const pixel = events.filter((e) => e.type === 'pixel');
    expect(pixel.map((e) => e.details)).toEqual([
      { status: 'fired', url: `${base}/click`, fire_order: 0, timer_seconds: 0 },
      { status: 'delivered', url: `${base}/click`, fire_order: 0, http_status: 200, attempts: 1 },
    ]);
    const hook = events.filter((e) => e.type === 'webhook');
    expect(hook.map((e) => e.details)).toEqual([
      { status: 'fired', name: 'CRM', event: 'call_ended', url: `${base}/fail`, fire_order: 1 },
      {
        status: 'failed',
        name: 'CRM',
        url: `${base}/fail`,
        fire_order: 1,
        http_status: 500,
        attempts: 8,
        error: 'HTTP 500',
      },
    ]);
    // In the journey's order: the click fired at the start, the webhook with the end.
    const types = events.map((e) => e.type);
    expect(types.indexOf('pixel')).toBeLessThan(types.indexOf('routing_decision'));
    expect(types.indexOf('webhook')).toBeGreaterThan(types.indexOf('conversion_decided'));
    expect(types.at(-1)).toBe('webhook');
    const at = events.map((e) => Date.parse(e.at));
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });
});

describe('keys pressed', () => {
  it('records every digit as its own step, before the menu choice', async () => {
    const sim = simOf(t);
    const target = await create(t, '/targets', 'target', { number: '+14155550001' });
    const { number } = await campaignTo([target], {
      message: 'Press two for sales.',
      repeat: 1,
      menu_options_attributes: [{ option: '2', target_number: '+14155550001' }],
    });
    const call = await sim.call(CALLER, number);
    await sim.advance(1);
    await sim.press(call.id, '9#2');
    await sim.advance(10);
    await sim.hangup(call.id);
    const events = await journey(call.call_uuid);
    const keys = events.filter((e) => e.type === 'key_pressed').map((e) => e.details.digit);
    expect(keys).toEqual(['9', '#', '2']);
    const types = events.map((e) => e.type);
    expect(types.lastIndexOf('key_pressed')).toBeLessThan(types.indexOf('menu_choice'));
  });
});

describe('transfers', () => {
  const AGENT = '+14155550001';
  const TRANSFEREE = '+14155550099';
  const scope = (target: { id: number; number: string }): KeyScope => ({
    keyId: 1,
    companyId: t.companyId,
    targetId: target.id,
    targetGroupId: null,
    targetIds: [target.id],
    numbers: [target.number],
    actions: [...CALL_CONTROL_ACTIONS],
    returnTimeoutSeconds: 60,
  });

  it('records the caller held, then conferenced, then with the transferee alone', async () => {
    const sim = simOf(t);
    const agent = await create(t, '/targets', 'target', { number: AGENT });
    const { number } = await campaignTo([agent]);
    const call = await sim.call(CALLER, number);
    await sim.advance(2);
    await sim.endpoint(TRANSFEREE, { answer_after_s: 3 });
    const cc = t.app.engine.callControl;
    const { transferUuid } = await cc.transfer(call.call_uuid, scope(agent), {
      holdCaller: true,
      transferTo: TRANSFEREE,
    });
    await sim.advance(3);
    await cc.conferenceCaller(transferUuid, scope(agent));
    const agentLeg = (await sim.show(call.id)).legs.find((l: any) => l.to === AGENT);
    await sim.legHangup(agentLeg.id);
    await sim.advance(5);
    await sim.hangup(call.id);

    const events = await journey(call.call_uuid);
    const steps = events
      .filter((e) => ['transferred', 'held', 'conference', 'bridged'].includes(e.type))
      .map((e) => [e.type, e.details]);
    expect(steps).toEqual([
      ['transferred', { status: 'in-progress' }],
      ['held', { transfer_uuid: transferUuid, parties: 1 }],
      ['conference', { transfer_uuid: transferUuid, parties: 3 }],
      ['bridged', { transfer_uuid: null, parties: 2, with: TRANSFEREE }],
    ]);
    // The transferee's dial shows as any dial: dialled, ringing (once), answered.
    const dial = events
      .filter((e) => e.details.to === TRANSFEREE && ['dialled', 'ringing', 'answered'].includes(e.type))
      .map((e) => [e.type, e.details.transfer_uuid ?? null, e.details.status]);
    expect(dial).toEqual([
      ['dialled', transferUuid, 'dialing'],
      ['ringing', transferUuid, 'ringing'],
      ['answered', null, 'answered'],
    ]);
  });

  it('records the caller back with the agent when a held transfer is stopped', async () => {
    const sim = simOf(t);
    const agent = await create(t, '/targets', 'target', { number: AGENT });
    const { number } = await campaignTo([agent]);
    const call = await sim.call(CALLER, number);
    await sim.advance(2);
    await sim.endpoint(TRANSFEREE, { answer_after_s: 30 });
    const cc = t.app.engine.callControl;
    const { transferUuid } = await cc.transfer(call.call_uuid, scope(agent), {
      holdCaller: true,
      transferTo: TRANSFEREE,
    });
    await sim.advance(1);
    await cc.stopTransfer(transferUuid, scope(agent));
    await sim.hangup(call.id);
    const steps = (await journey(call.call_uuid))
      .filter((e) => ['held', 'conference', 'bridged'].includes(e.type))
      .map((e) => [e.type, e.details]);
    expect(steps).toEqual([
      ['held', { transfer_uuid: transferUuid, parties: 1 }],
      ['bridged', { transfer_uuid: null, parties: 2, with: AGENT }],
    ]);
  });
});

describe('routing decision', () => {
  it('says already tried for a target the list names twice, where the plan dials it', async () => {
    const sim = simOf(t);
    const a = await create(t, '/targets', 'target', { number: '+14155550001', priority: 1 });
    const b = await create(t, '/targets', 'target', { number: '+14155550002', priority: 2 });
    const group = await create(t, '/target_groups', 'target_group', {
      name: 'Both',
      target_ids: [a.id, b.id],
    });
    const { number } = await campaignTo([a], { target_group_ids: [group.id] });
    await sim.endpoint(a.number, { busy: true });
    await sim.endpoint(b.number, { busy: true });
    const call = await sim.call(CALLER, number);
    await sim.advance(30);
    const events = await journey(call.call_uuid);
    const considered = events.find((e) => e.type === 'routing_decision')!.details.considered;
    const alone = considered.find((c: any) => c.kind === 'target');
    const inGroup = considered.find((c: any) => c.kind === 'group');
    const mentions = [alone, inGroup.members.find((m: any) => m.id === a.id)];
    // a is dialled once: one mention is the plan's, the other is skipped as already tried there.
    expect(mentions.filter((m) => m.eligible)).toHaveLength(1);
    const skipped = mentions.find((m) => !m.eligible);
    expect(skipped).toMatchObject({ id: a.id, reason: 'already tried' });
    expect(skipped.detail).toEqual({ dialled_in: skipped === alone ? group.id : null });
    expect(inGroup.members.find((m: any) => m.id === b.id)).toMatchObject({ eligible: true });
    expect(events.filter((e) => e.type === 'dialled').map((e) => e.details.to)).toHaveLength(2);
  });
});

describe('screening', () => {
  it('records a suppressed caller blocked, and a static caller id replaced', async () => {
    const sim = simOf(t);
    const target = await create(t, '/targets', 'target', { number: '+14155550001' });
    const { number } = await campaignTo([target]);
    await t.api('POST', `/suppressed_numbers/${CALLER}.json`, {
      suppressed_number: { can_resubscribe: false },
    });
    const blocked = await sim.call(CALLER, number);
    await sim.advance(1);
    const events = await journey(blocked.call_uuid);
    expect(events.find((e) => e.type === 'suppressed')?.details).toEqual({
      can_resubscribe: false,
      status: 'blocked',
    });
    expect(events.at(-1)).toMatchObject({ type: 'ended', details: { status: 'blocked' } });

    const STATIC = '+12025550100';
    await t.api('POST', '/static_caller_numbers.json', { static_caller_number: { number: STATIC } });
    const shared = await sim.call(STATIC, number);
    await sim.advance(5);
    await sim.hangup(shared.id);
    const replaced = (await journey(shared.call_uuid)).find((e) => e.type === 'static_caller');
    expect(replaced?.details.caller_number_sent).toMatch(/^\+1202\d{7}$/);
    expect(replaced?.details.caller_number_sent).not.toBe(STATIC);
  });
});

describe('leg outcomes', () => {
  it('carry the cause when it says more than the status (a ring timeout, a refused originate)', async () => {
    const uuid = '00000000-0000-4000-8000-00000000c0de';
    const leg = (status: string, reason?: string) =>
      t.app.bus.publish({
        type: 'leg.updated',
        companyId: t.companyId,
        callUuid: uuid,
        legId: `leg-${status}`,
        at: t.clock.now(),
        direction: 'outbound',
        status,
        to: '+14155550001',
        ...(reason ? { reason } : {}),
      });
    leg('no-answer', 'ring timeout');
    leg('failed', 'originate failed: 503 Service Unavailable');
    leg('busy');
    const events = (await t.app.services.callFlow.of(t.companyId, [uuid])).get(uuid)!;
    expect(events.map((e) => [e.type, e.details.status, e.details.reason])).toEqual([
      ['no_answer', 'no-answer', 'ring timeout'],
      ['failed', 'failed', 'originate failed: 503 Service Unavailable'],
      ['busy', 'busy', undefined],
    ]);
  });
});
