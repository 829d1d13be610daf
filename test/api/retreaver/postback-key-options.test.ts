import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { create, legsOf, record, simOf } from '../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { CALLER, ping, rtbSetup } from './rtb-setup.js';

/** Issue 18.4: Retreaver's key form, as its client sends it, and what each option does. */
let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const NOW = Date.UTC(2025, 0, 6, 15, 0, 0);

/** The client's body: booleans as 0/1, blanks as "", every field present. */
const CLIENT_BODY = {
  action: 'rtb',
  name: '',
  tag_prefix: '',
  ttl_seconds: 30,
  timeout: 3.0,
  inbound_number: '',
  return_dba: 0,
  add_to_caps_on_status_reserved: 0,
  route_only_to_reserved_target: 0,
  allow_no_caller_number: 0,
  paused: 0,
  claim_percent_threshold: 10,
  blocked_inbound_percent: 50,
  ping_shield_outbound_count_limit: '',
  ping_shield_outbound_ms_limit: '',
};

async function keyWith(campaignId: number, options: Record<string, unknown>) {
  const res = await t.api('POST', `/campaigns/${campaignId}/postback_keys.json`, {
    postback_key: { ...CLIENT_BODY, ...options },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.postback_key;
}

describe('POST/PUT /campaigns/{id}/postback_keys: the client’s encodings', () => {
  it('accepts the client’s body as is and shows every option on GET', async () => {
    const s = await rtbSetup(t);
    const res = await t.api('POST', `/campaigns/${s.campaign.id}/postback_keys`, {
      postback_key: CLIENT_BODY,
    });
    expect(res.status, res.text).toBe(201);
    const got = await t.api('GET', `/campaigns/cid/rtb1/postback_keys/${res.body.postback_key.id}.json`);
    expect(got.body.postback_key).toMatchObject({
      action: 'rtb',
      name: null,
      tag_prefix: null,
      ttl_seconds: 30,
      reservation_seconds: 30,
      timeout: 3,
      inbound_number: null,
      return_dba: false,
      add_to_caps_on_status_reserved: false,
      route_only_to_reserved_target: false,
      allow_no_caller_number: false,
      paused: false,
      claim_percent_threshold: 10,
      blocked_inbound_percent: 50,
      ping_shield_outbound_count_limit: null,
      ping_shield_outbound_ms_limit: null,
    });
  });

  it('takes numeric strings and "0"/"1", and PUT changes only what it names (both paths)', async () => {
    const s = await rtbSetup(t);
    const k = await keyWith(s.campaign.id, {
      ttl_seconds: '45',
      timeout: '1.5',
      paused: '1',
      return_dba: 1,
      claim_percent_threshold: '20',
      ping_shield_outbound_count_limit: '5',
      ping_shield_outbound_ms_limit: 250,
    });
    expect(k).toMatchObject({
      ttl_seconds: 45,
      timeout: 1.5,
      paused: true,
      return_dba: true,
      claim_percent_threshold: 20,
      ping_shield_outbound_count_limit: 5,
      ping_shield_outbound_ms_limit: 250,
    });
    const put = await t.api('PUT', `/campaigns/cid/rtb1/postback_keys/${k.id}.json`, {
      postback_key: { paused: 0, name: 'Seller A' },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.postback_key).toMatchObject({
      paused: false,
      name: 'Seller A',
      ttl_seconds: 45,
      key: k.key,
    });
    const viaId = await t.api('PUT', `/campaigns/${s.campaign.id}/postback_keys/${k.id}`, {
      postback_key: { blocked_inbound_percent: '75' },
    });
    expect(viaId.body.postback_key.blocked_inbound_percent).toBe(75);
  });

  it('refuses out-of-range values, unknown actions and numbers not of the campaign with 400', async () => {
    const s = await rtbSetup(t);
    for (const [field, value] of [
      ['claim_percent_threshold', 101],
      ['blocked_inbound_percent', -1],
      ['timeout', 0],
      ['ttl_seconds', 1],
      ['action', 'nope'],
      ['paused', 2],
      ['inbound_number', '+18005550000'],
      ['tag_prefix', 'bad prefix'],
    ] as const) {
      const res = await t.api('POST', `/campaigns/${s.campaign.id}/postback_keys.json`, {
        postback_key: { ...CLIENT_BODY, [field]: value },
      });
      expect(res.status, `${field}: ${res.text}`).toBe(400);
      expect(Object.keys(res.body.errors).join(), field).toContain(
        field === 'ttl_seconds' ? 'seconds' : field,
      );
    }
  });
});

describe('what each option does', () => {
  it('ttl_seconds is the reservation’s life', async () => {
    t.clock.set(NOW);
    const s = await rtbSetup(t);
    const k = await keyWith(s.campaign.id, { ttl_seconds: 30 });
    const res = await ping(t, { key: k.key, publisher_id: s.afid, caller_number: CALLER });
    expect(res.body.expires_at).toBe(new Date(NOW + 30_000).toISOString());
  });

  it('paused keys answer pings with a paused status and reserve nothing', async () => {
    const s = await rtbSetup(t);
    const k = await keyWith(s.campaign.id, { paused: 1 });
    const res = await ping(t, { key: k.key, publisher_id: s.afid, caller_number: CALLER });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'paused', inbound_number: null, expires_at: null });
  });

  it('allow_no_caller_number lets a ping leave the caller out; the reservation is claimed by any caller', async () => {
    const s = await rtbSetup(t);
    const strict = await keyWith(s.campaign.id, {});
    const refused = await ping(t, { key: strict.key, publisher_id: s.afid });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.caller_number).toBeDefined();
    const k = await keyWith(s.campaign.id, { allow_no_caller_number: 1 });
    const res = await ping(t, { key: k.key, publisher_id: s.afid });
    expect([res.status, res.body.status]).toEqual([200, 'reserved']);
    const sim = simOf(t);
    const call = await sim.call('+13015550777', res.body.inbound_number);
    await sim.advance(1);
    const shown = await t.api('GET', `/call_reservations/${res.body.uuid}.json?key=${k.key}`, undefined, {
      key: null,
    });
    expect(shown.body.call_reservation.status).toBe('claimed');
    await sim.hangup(call.id);
  });

  it('tag_prefix prefixes the tags the ping sets', async () => {
    const s = await rtbSetup(t);
    const k = await keyWith(s.campaign.id, { tag_prefix: 'pub_' });
    await ping(t, { key: k.key, publisher_id: s.afid, caller_number: CALLER, age: '25' });
    const row = await t.app.store.db.selectFrom('reservations').selectAll().executeTakeFirstOrThrow();
    expect(JSON.parse(row.tags)).toEqual({ pub_age: '25' });
  });

  it('inbound_number is reserved when the ping names none', async () => {
    const s = await rtbSetup(t, { pool: null });
    const n = await create(t, '/numbers', 'number', { afid: s.afid, cid: 'rtb1' });
    const k = await keyWith(s.campaign.id, { inbound_number: n.number });
    expect(k.inbound_number).toBe(n.number);
    const res = await ping(t, { key: k.key, publisher_id: s.afid, caller_number: CALLER });
    expect([res.body.status, res.body.inbound_number]).toEqual(['reserved', n.number]);
  });

  it('add_to_caps_on_status_reserved: a live reservation holds a concurrency slot until it expires', async () => {
    const s = await rtbSetup(t, { targets: [{ concurrency_cap: 1 }] });
    const loose = await keyWith(s.campaign.id, {});
    expect((await ping(t, { key: loose.key, publisher_id: s.afid, caller_number: CALLER })).body.status).toBe(
      'reserved',
    );
    expect(
      (await ping(t, { key: loose.key, publisher_id: s.afid, caller_number: '+18558485599' })).body.status,
    ).toBe('reserved');
    const k = await keyWith(s.campaign.id, { add_to_caps_on_status_reserved: 1, ttl_seconds: 30 });
    const first = await ping(t, { key: k.key, publisher_id: s.afid, caller_number: '+18558485501' });
    expect(first.body.status).toBe('reserved');
    const second = await ping(t, { key: k.key, publisher_id: s.afid, caller_number: '+18558485502' });
    expect(second.body.status).toBe('no-target');
    await t.clock.advance(31_000);
    const later = await ping(t, { key: k.key, publisher_id: s.afid, caller_number: '+18558485503' });
    expect(later.body.status).toBe('reserved');
  });

  it('route_only_to_reserved_target: a claiming call that the buyer does not take goes nowhere else', async () => {
    const s = await rtbSetup(t, { targets: [{ priority: 1 }, { priority: 2 }] });
    const sim = simOf(t);
    await sim.endpoint(s.targets[0].number, { busy: true });
    await sim.endpoint(s.targets[1].number, { answer_after_s: 1 });
    for (const only of [0, 1]) {
      const caller = only ? '+13015550124' : '+13015550125';
      const k = await keyWith(s.campaign.id, { route_only_to_reserved_target: only });
      const res = await ping(t, { key: k.key, publisher_id: s.afid, caller_number: caller });
      expect(res.body.status).toBe('reserved');
      const call = await sim.call(caller, res.body.inbound_number);
      await sim.advance(5);
      const dialed = (await legsOf(t, call.call_uuid)).slice(1).map((l) => l.to_number);
      expect(dialed, `only=${only}`).toEqual(
        only ? [s.targets[0].number] : [s.targets[0].number, s.targets[1].number],
      );
      expect((await record(t, call.call_uuid)).status).toBe(only ? 'no-target' : 'in-progress');
      if (!only) await sim.hangup(call.id);
    }
  });

  it('timeout: a buyer choice slower than the key’s timeout (on the injected clock) answers no-target', async () => {
    const s = await rtbSetup(t);
    const k = await keyWith(s.campaign.id, { timeout: 0.1 });
    const rtb = t.app.services.rtb as unknown as { decide: (...a: unknown[]) => Promise<unknown> };
    const decide = rtb.decide.bind(rtb);
    // The buyer choice waits at a gate the test opens: it takes exactly as long as the test says.
    let open = () => {};
    let entered = () => {};
    const slow = () => {
      const gate = new Promise<void>((r) => {
        open = r;
      });
      const inside = new Promise<void>((r) => {
        entered = r;
      });
      rtb.decide = async (...a: unknown[]) => {
        entered();
        await gate;
        return decide(...a);
      };
      return inside;
    };
    const settled = (p: Promise<unknown>) => {
      const out = { done: false };
      void p.then(() => {
        out.done = true;
      });
      return out;
    };
    const flush = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };

    // 99 ms of clock time: still choosing; at 100 ms the ping gives up.
    let inside = slow();
    const late = ping(t, { key: k.key, publisher_id: s.afid, caller_number: CALLER });
    const lateDone = settled(late);
    await inside;
    await t.clock.advance(99);
    await flush();
    expect(lateDone.done).toBe(false);
    await t.clock.advance(1);
    expect((await late).body.status).toBe('no-target');
    open();

    // However long the choice takes on the wall clock, the clock has not moved: it is in time.
    inside = slow();
    const inTime = ping(t, { key: k.key, publisher_id: s.afid, caller_number: '+18558485577' });
    await inside;
    await flush();
    open();
    expect((await inTime).body.status).toBe('reserved');
    rtb.decide = decide;
  });
});
