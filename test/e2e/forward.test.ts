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
