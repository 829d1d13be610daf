/**
 * The call that follows a reservation. Needs the engine to call claimReservation()
 * (src/services/reservations.ts) when a call arrives: dial the reserved target first, tag the call with
 * the ping's tags and attribute it to the ping's publisher.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { create, legsOf, record, simOf } from './harness.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const CALLER = '+13015550123';

/** Two buyers; the one the router prefers is paused while the publisher pings, so the other is reserved. */
async function setup() {
  const reserved = await create(t, '/targets', 'target', { number: '+14155550001', priority: 2 });
  const preferred = await create(t, '/targets', 'target', {
    number: '+14155550002',
    priority: 1,
    paused: true,
  });
  await create(t, '/affiliates', 'affiliate', { afid: 'seller' });
  await create(t, '/campaigns', 'campaign', {
    cid: 'buy',
    target_ids: [reserved.id, preferred.id],
    timers_attributes: [],
  });
  await create(t, '/number_pools', 'number_pool', { cid: 'buy', max_pool_size: 5, reserve_size: 0 });
  const key = await create(t, '/campaigns/cid/buy/postback_keys', 'postback_key', {});
  const res = await t.api(
    'POST',
    `/rtbs.json?key=${key.key}&publisher_id=seller&caller_number=${encodeURIComponent(CALLER)}&caller_zip=12344`,
    undefined,
    { key: null },
  );
  expect(res.body.status).toBe('reserved');
  await t.api('PUT', `/targets/${preferred.id}.json`, { target: { paused: false } });
  const sim = simOf(t);
  await sim.endpoint(reserved.number, { answer_after_s: 1 });
  await sim.endpoint(preferred.number, { answer_after_s: 1 });
  return { sim, reserved, preferred, key: key.key as string, rtb: res.body };
}

describe('claiming a reservation', () => {
  it('routes the reserving caller to the reserved buyer first, with the publisher and the ping tags', async () => {
    const { sim, reserved, key, rtb } = await setup();
    const call = await sim.call(CALLER, rtb.inbound_number);
    await sim.advance(2);
    const legs = await legsOf(t, call.call_uuid);
    expect(legs[1].to_number).toBe(reserved.number);
    await sim.hangup(call.id);
    const r = await record(t, call.call_uuid);
    expect(r).toMatchObject({ afid: 'seller', target_id: reserved.id });
    expect(r.tags).toMatchObject({ caller_zip: '12344' });
    const shown = await t.api('GET', `/call_reservations/${rtb.uuid}.json?key=${key}`, undefined, {
      key: null,
    });
    expect(shown.body.call_reservation).toMatchObject({ status: 'claimed', wiped_at: null });
    expect(shown.body.call_reservation.claimed_at).not.toBeNull();
  });

  it('another caller on the reserved number is routed as usual and claims nothing', async () => {
    const { sim, preferred, key, rtb } = await setup();
    const call = await sim.call('+13015550999', rtb.inbound_number);
    await sim.advance(2);
    expect((await legsOf(t, call.call_uuid))[1].to_number).toBe(preferred.number);
    await sim.hangup(call.id);
    expect((await record(t, call.call_uuid)).tags.caller_zip).toBeUndefined();
    const shown = await t.api('GET', `/call_reservations/${rtb.uuid}.json?key=${key}`, undefined, {
      key: null,
    });
    expect(shown.body.call_reservation.status).toBe('reserved');
  });

  it('the reserving caller after expiry is routed as usual, and the reservation is wiped', async () => {
    const { sim, preferred, key, rtb } = await setup();
    await t.clock.advance(121_000);
    const call = await sim.call(CALLER, rtb.inbound_number);
    await sim.advance(2);
    expect((await legsOf(t, call.call_uuid))[1].to_number).toBe(preferred.number);
    await sim.hangup(call.id);
    const shown = await t.api('GET', `/call_reservations/${rtb.uuid}.json?key=${key}`, undefined, {
      key: null,
    });
    expect(shown.body.call_reservation.status).toBe('expired');
  });
});
