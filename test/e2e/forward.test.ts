import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { legsOf, record, simOf, trackedNumber } from './harness.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

describe('direct forward (menu option 1 with a target number, no greeting)', () => {
  it('rings the target, connects, and records the call when the caller hangs up', async () => {
    const sim = simOf(t);
    const { number, campaign } = await trackedNumber(t, {
      menu_options_attributes: [{ option: '1', target_number: '+14155550100' }],
    });
    await sim.endpoint('+14155550100', { answer_after_s: 3 });
    const start = t.clock.now();
    const call = await sim.call('+13015550123', number);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'ringing' });
    await sim.advance(3);
    const live = await sim.show(call.id);
    expect(live.hearing).toEqual({ kind: 'connected', party: '+14155550100' });
    await sim.advance(65);
    await sim.hangup(call.id);
    const r = await record(t, call.call_uuid);
    expect(r).toMatchObject({
      status: 'finished',
      hung_up_by: 'caller',
      caller: '+13015550123',
      number,
      cid: campaign.cid,
      dialed_number: '+14155550100',
      connected: 1,
      total_duration: 68,
      dialed_call_duration: 65,
      hold_duration: 3,
      ivr_duration: 0,
      time_to_connect_in_seconds: 3,
      billable_minutes: 2,
      charge_total: 0.1,
      start_time: start,
      forwarded_time: start,
      connected_time: start + 3000,
      end_time: start + 68_000,
    });
    expect(r.tags.geo).toBe('301,us');
    const legs = await legsOf(t, call.call_uuid);
    expect(legs.map((l) => [l.direction, l.status])).toEqual([
      ['inbound', 'ended'],
      ['outbound', 'ended'],
    ]);
  });
});

describe('caller behaviour around the forward', () => {
  const forward = { menu_options_attributes: [{ option: '1', target_number: '+14155550100' }] };

  it('cancels the ringing target when the caller hangs up while it rings', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, forward);
    await sim.endpoint('+14155550100', { answer_after_s: 20 });
    const call = await sim.call('+13015550123', number);
    await sim.advance(4);
    const shown = await sim.hangup(call.id);
    const outbound = shown.legs.find((l: any) => l.direction === 'outbound');
    expect(outbound.state).toBe('ended');
    const r = await record(t, call.call_uuid);
    expect(r).toMatchObject({
      status: 'finished',
      hung_up_by: 'caller',
      connected: 0,
      hold_duration: 4,
      total_duration: 4,
    });
    expect((await legsOf(t, call.call_uuid))[1].status).toBe('cancelled');
  });

  it('records the target hanging up first', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, forward);
    await sim.endpoint('+14155550100', { answer_after_s: 1, hangup_after_s: 30 });
    const call = await sim.call('+13015550123', number);
    await sim.advance(31);
    const r = await record(t, call.call_uuid);
    expect(r).toMatchObject({
      status: 'finished',
      hung_up_by: 'target',
      dialed_call_duration: 30,
      total_duration: 31,
    });
    expect((await sim.show(call.id)).state).toBe('ended');
  });

  it('ends with no-target when the only number is busy', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, forward);
    await sim.endpoint('+14155550100', { busy: true });
    const call = await sim.call('+13015550123', number);
    await sim.advance(2);
    const r = await record(t, call.call_uuid);
    expect(r).toMatchObject({ status: 'no-target', hung_up_by: 'system', connected: 0 });
    expect((await legsOf(t, call.call_uuid))[1].status).toBe('busy');
  });

  it('answers 404 for a call to a number nobody tracks', async () => {
    const res = await t.api('POST', '/sim/calls', { from: '+13015550123', to: '+18005550000' });
    expect(res.status).toBe(404);
  });
});

describe('repeat and duplicate flags', () => {
  it('flags repeat callers per company, number and affiliate, and duplicates inside dedupe_seconds', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, {
      dedupe_seconds: 3600,
      menu_options_attributes: [{ option: '1', target_number: '+14155550100' }],
    });
    const first = await sim.call('+13015550123', number);
    await sim.hangup(first.id);
    await sim.advance(60);
    const second = await sim.call('+13015550123', number);
    await sim.hangup(second.id);
    const other = await sim.call('+13015550999', number);
    await sim.hangup(other.id);
    await sim.advance(3600);
    const third = await sim.call('+13015550123', number);
    await sim.hangup(third.id);
    const [r1, r2, r3, ro] = await Promise.all(
      [first, second, third, other].map((c) => record(t, c.call_uuid)),
    );
    expect([r1.repeat, r1.number_repeat, r1.affiliate_repeat, r1.duplicate]).toEqual([0, 0, 0, 0]);
    expect([r2.repeat, r2.number_repeat, r2.affiliate_repeat, r2.duplicate]).toEqual([1, 1, 1, 1]);
    expect([ro.repeat, ro.duplicate]).toEqual([0, 0]);
    expect([r3.repeat, r3.duplicate]).toEqual([1, 0]);
  });
});

describe('live events and write-ahead records', () => {
  it('publishes every call and leg transition on the bus', async () => {
    const sim = simOf(t);
    const events: any[] = [];
    t.app.bus.subscribe((e) => events.push(e));
    const { number } = await trackedNumber(t, {
      menu_options_attributes: [{ option: '1', target_number: '+14155550100' }],
    });
    const call = await sim.call('+13015550123', number);
    await sim.advance(2);
    await sim.hangup(call.id);
    const mine = events.filter((e) => e.callUuid === call.call_uuid);
    expect(mine[0]).toMatchObject({ type: 'call.started', caller: '+13015550123', number });
    expect(mine.filter((e) => e.type === 'leg.updated').map((e) => [e.direction, e.status])).toEqual([
      ['outbound', 'ringing'],
      ['outbound', 'answered'],
      ['outbound', 'ended'],
      ['inbound', 'ended'],
    ]);
    expect(mine.filter((e) => e.type === 'call.updated').map((e) => e.step)).toEqual([
      'screened',
      'forwarded',
      'connected',
      'conversion',
    ]);
    expect(mine.at(-1)).toMatchObject({ type: 'call.ended', status: 'finished', hungUpBy: 'caller' });
  });

  it('has the record in the database as soon as the call arrives, and closes calls a stopped process left open', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, {
      message: 'Hold on please.',
      menu_options_attributes: [{ option: '1', target_number: '+14155550100' }],
    });
    const call = await sim.call('+13015550123', number);
    expect((await record(t, call.call_uuid)).status).toBe('in-progress');
    await sim.advance(1);
    // A new engine on the same database plays the part of the restarted process.
    expect(await t.app.engine.closeInterrupted()).toBe(1);
    const r = await record(t, call.call_uuid);
    expect(r).toMatchObject({ status: 'finished', hung_up_by: 'system' });
    expect(r.end_time).toBe(r.updated_at);
  });
});
