import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { create, simOf } from '../../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

/** Issue 18.1: V3 calls, the V2 representation plus what else the call knows. */
let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const CALLER = '+13015550123';
const AGENT = '+14155550001';
const TRANSFEREE = '+14155550099';

/** A call that claimed an RTB reservation, was answered by AGENT and transferred (attended). */
async function richCall() {
  const sim = simOf(t);
  const agent = await create(t, '/targets', 'target', { number: AGENT });
  await create(t, '/affiliates', 'affiliate', { afid: 'seller' });
  await create(t, '/campaigns', 'campaign', { cid: 'v3', target_ids: [agent.id], timers_attributes: [] });
  await create(t, '/number_pools', 'number_pool', { cid: 'v3', max_pool_size: 2, reserve_size: 0 });
  const key = await create(t, '/campaigns/cid/v3/postback_keys', 'postback_key', { name: 'Seller A' });
  const rtb = await t.api(
    'POST',
    `/rtbs.json?key=${key.key}&publisher_id=seller&caller_number=${encodeURIComponent(CALLER)}&age=25`,
    undefined,
    { key: null },
  );
  expect(rtb.body.status).toBe('reserved');
  await sim.endpoint(TRANSFEREE, { answer_after_s: 1 });
  const call = await sim.call(CALLER, rtb.body.inbound_number);
  await sim.advance(3);
  const ccKey = (await t.api('POST', '/call_control_keys.json', { target_id: agent.id })).body
    .call_control_key.key;
  const tr = await t.app.http.inject({
    method: 'POST',
    url: `/call_control/v1/calls/${call.call_uuid}/transfer.json?api_key=${ccKey}`,
    payload: { transfer_to: TRANSFEREE },
  });
  expect(tr.statusCode, tr.body).toBe(200);
  await sim.advance(2);
  await sim.hangup(call.id);
  return { call, key, rtb: rtb.body, transferUuid: JSON.parse(tr.body).transfer_uuid, agent };
}

describe('GET /api/v3/calls/{uuid}.json', () => {
  it('is the V2 representation plus legs, transfers, the reservation and its postback key', async () => {
    const { call, key, rtb, transferUuid, agent } = await richCall();
    const v2 = await t.api('GET', `/api/v2/calls/${call.call_uuid}.json`);
    const v3 = await t.api('GET', `/api/v3/calls/${call.call_uuid}.json`);
    expect(v3.status).toBe(200);
    const { legs, transfers, reservation, postback_key, ...rest } = v3.body.call;
    expect(rest).toEqual(v2.body.call);
    expect(Object.keys(v3.body.call).slice(0, Object.keys(v2.body.call).length)).toEqual(
      Object.keys(v2.body.call),
    );
    // The transferee's leg belongs to the transfer's downstream call (V2's downstream_call_uuids).
    expect(legs.map((l: any) => [l.leg.direction, l.leg.to])).toEqual([
      ['inbound', rtb.inbound_number],
      ['outbound', AGENT],
    ]);
    expect(legs[1].leg).toMatchObject({ target_id: agent.id, from: CALLER });
    expect(transfers).toEqual([
      {
        transfer: expect.objectContaining({
          transfer_uuid: transferUuid,
          transfer_to: TRANSFEREE,
          hold_caller: false,
          downstream_call_uuid: v2.body.call.downstream_call_uuids[0],
        }),
      },
    ]);
    expect(reservation).toMatchObject({
      uuid: rtb.uuid,
      status: 'claimed',
      caller_number: CALLER,
      inbound_number: rtb.inbound_number,
      afid: 'seller',
      target_id: agent.id,
      tags: { age: '25' },
    });
    expect(postback_key).toEqual({ id: key.id, name: 'Seller A', action: 'rtb', revoked: false });
  });

  it('shows empty legs/transfers and null reservation for a plain call; XML too; 404 for others', async () => {
    const sim = simOf(t);
    const c = await create(t, '/campaigns', 'campaign', { cid: 'plain' });
    const n = await create(t, '/numbers', 'number', { afid: 'p', cid: c.cid });
    const call = await sim.call(CALLER, n.number); // no targets: the call ends no-target at once
    const v3 = await t.api('GET', `/api/v3/calls/${call.call_uuid}.json`);
    expect(v3.body.call).toMatchObject({ transfers: [], reservation: null, postback_key: null });
    expect(v3.body.call.legs).toHaveLength(1);
    const xml = await t.api('GET', `/api/v3/calls/${call.call_uuid}.xml`);
    expect(xml.status).toBe(200);
    expect(xml.text).toMatch(
      /<call>[\s\S]*<legs type="array">\s*<leg>[\s\S]*<direction>inbound<\/direction>/,
    );
    expect(xml.text).toContain('<transfers type="array"');
    const other = await t.addTenant();
    expect(
      (await t.api('GET', `/api/v3/calls/${call.call_uuid}.json`, undefined, { key: other.key })).status,
    ).toBe(404);
    expect((await t.api('GET', '/api/v3/calls/nope.json')).status).toBe(404);
  });
});

describe('GET /api/v3/calls.json', () => {
  it('lists with V2’s filters and paging, each call with its details', async () => {
    const { call } = await richCall();
    const list = await t.api('GET', `/api/v3/calls.json?caller=${encodeURIComponent(CALLER)}`);
    expect(list.status).toBe(200);
    // The caller's call and the transfer's downstream call (same caller).
    expect(list.headers['x-total-count']).toBe('2');
    expect(list.headers.link).toContain('/api/v3/calls.json');
    const parent = list.body.find((c: any) => c.call.uuid === call.call_uuid).call;
    expect(parent.legs).toHaveLength(2);
    expect(parent.transfers).toHaveLength(1);
    expect(parent.reservation.status).toBe('claimed');
    const child = list.body.find((c: any) => c.call.uuid !== call.call_uuid).call;
    expect(child.upstream_call_uuid).toBe(call.call_uuid);
    expect(child.legs.map((l: any) => l.leg.to)).toEqual([TRANSFEREE]);
    const none = await t.api('GET', '/api/v3/calls.json?caller=%2B13015550999');
    expect(none.body).toEqual([]);
    const bad = await t.api('GET', '/api/v3/calls.json?sort_by=nope');
    expect(bad.status).toBe(400);
    const xml = await t.api('GET', '/api/v3/calls.xml');
    expect(xml.text).toMatch(/<calls type="array">\s*<call>/);
  });
});
