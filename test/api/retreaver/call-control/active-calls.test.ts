import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CcHarness, ccHarness, insertCall } from './harness.js';

let h: CcHarness;
let t0: number;
let a: number;
let b: number;
let c: number;
let keyA: string;
let keyGroup: string;
const ids: Record<string, string> = {};

/** Calls of three targets: A (alone), B and C (a group); some not in progress, one of another company. */
beforeAll(async () => {
  h = await ccHarness();
  t0 = h.t.clock.now();
  a = await h.target('+14165550101');
  b = await h.target('+14165550202');
  c = await h.target('sip:desk@pbx.example.com');
  keyA = (await h.key({ target_id: a })).key;
  keyGroup = (await h.key({ target_group_id: await h.group([b, c]), actions: ['active_calls'] })).key;
  const other = await h.t.addTenant();
  const call = (name: string, row: Parameters<typeof insertCall>[1]) =>
    insertCall(h.t, row).then((uuid) => (ids[name] = uuid));
  await call('a1', {
    caller: '+18668987878',
    callerNumberSent: '+18665551234',
    targetId: a,
    dialedNumber: '+14165550101',
    startTime: t0,
    forwardedTime: t0 + 5_000,
  });
  await call('a2', {
    caller: '+12125550000',
    targetId: a,
    dialedNumber: '+14165550101',
    startTime: t0 + 1_000,
    forwardedTime: t0 + 9_000,
  });
  await call('aDone', {
    caller: '+12125550001',
    targetId: a,
    status: 'finished',
    startTime: t0,
    forwardedTime: t0 + 1,
  });
  await call('aOther', {
    caller: '+12125550002',
    targetId: a,
    companyId: other.companyId,
    startTime: t0,
    forwardedTime: t0 + 1,
  });
  await call('b1', {
    caller: '+13105550000',
    targetId: b,
    dialedNumber: '+14165550202',
    startTime: t0,
    forwardedTime: t0 + 7_000,
  });
  await call('c1', {
    caller: '+13105550001',
    targetId: c,
    dialedNumber: 'sip:desk@pbx.example.com',
    startTime: t0,
    forwardedTime: t0 + 3_000,
  });
});
afterAll(async () => h.close());

const list = async (key: string, query = '') => {
  const res = await h.call('GET', `/active_calls.json${query}`, { key });
  expect(res.status).toBe(200);
  return res.body;
};

describe('Active Calls', () => {
  it("lists in-progress calls of the key's target in the seed's shape, newest dial-out first", async () => {
    const body = await list(keyA);
    expect(body.success).toBe(true);
    expect(body.results.map((r: any) => r.call_uuid)).toEqual([ids.a2, ids.a1]);
    expect(body.results[1]).toEqual({
      caller_number: '+18668987878',
      caller_number_sent: '+18665551234',
      dialed_out_number: '+14165550101',
      call_uuid: ids.a1,
      started_at: t0,
      dialed_out_at: t0 + 5_000,
    });
    // Without a randomized caller id, the handler saw the caller's own number.
    expect(body.results[0].caller_number_sent).toBe('+12125550000');
  });

  it('lists the calls of every current member of a group key', async () => {
    expect((await list(keyGroup)).results.map((r: any) => r.call_uuid)).toEqual([ids.b1, ids.c1]);
  });

  it('filters by caller_number, matching caller or caller_number_sent, in any notation', async () => {
    expect((await list(keyA, '?caller_number=%2B18668987878')).results.map((r: any) => r.call_uuid)).toEqual([
      ids.a1,
    ]);
    expect((await list(keyA, '?caller_number=8665551234')).results.map((r: any) => r.call_uuid)).toEqual([
      ids.a1,
    ]);
    expect((await list(keyA, '?caller_number=1-212-555-0000')).results.map((r: any) => r.call_uuid)).toEqual([
      ids.a2,
    ]);
  });

  it('answers success with empty results when nothing matches', async () => {
    expect(await list(keyA, '?caller_number=%2B19995550000')).toEqual({ success: true, results: [] });
  });

  it('refuses a caller_number that cannot be a number (400)', async () => {
    const res = await h.call('GET', '/active_calls.json?caller_number=abc', { key: keyA });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      error: 'caller_number is not a valid phone number or SIP URI',
    });
  });

  it("shows a call transferred to one of the key's numbers while the transfer is live", async () => {
    const transfer = randomUUID();
    await h.t.app.store.db
      .insertInto('call_transfers')
      .values({
        id: transfer,
        company_id: h.t.companyId,
        call_uuid: ids.a1,
        downstream_call_uuid: null,
        transfer_to: 'sip:desk@pbx.example.com',
        hold_caller: 1,
        status: 'answered',
        leg_id: null,
        transferor_leg_id: null,
        created_by_key_id: null,
        created_at: t0 + 20_000,
        answered_at: t0 + 21_000,
        ended_at: null,
      })
      .execute();
    const body = await list(keyGroup);
    expect(body.results.map((r: any) => r.call_uuid)).toEqual([ids.a1, ids.b1, ids.c1]);
    expect(body.results[0]).toMatchObject({
      dialed_out_number: 'sip:desk@pbx.example.com',
      dialed_out_at: t0 + 20_000,
      caller_number: '+18668987878',
    });
    // The transferor still sees it too, as routed to it.
    expect((await list(keyA)).results.map((r: any) => r.call_uuid)).toEqual([ids.a2, ids.a1]);

    await h.t.app.store.db
      .updateTable('call_transfers')
      .set({ status: 'stopped' })
      .where('id', '=', transfer)
      .execute();
    expect((await list(keyGroup)).results.map((r: any) => r.call_uuid)).toEqual([ids.b1, ids.c1]);
  });

  it('drops a call the moment it is no longer in progress', async () => {
    await h.t.app.store.db
      .updateTable('calls')
      .set({ status: 'finished' })
      .where('uuid', '=', ids.a2)
      .execute();
    expect((await list(keyA)).results.map((r: any) => r.call_uuid)).toEqual([ids.a1]);
  });

  it('answers XML with a results array', async () => {
    const res = await h.call('GET', '/active_calls.xml', { key: keyA });
    expect(res.text).toContain('<response>');
    expect(res.text).toContain('<results type="array">');
    expect(res.text).toContain(`<call-uuid>${ids.a1}</call-uuid>`);
    expect(res.text).toContain(`<started-at type="integer">${t0}</started-at>`);
  });
});
