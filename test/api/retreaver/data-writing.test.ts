import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { create, record, simOf } from '../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { curl, rawRequest } from '../../helpers/raw-http.js';

/** Issue 18.3: Retreaver's Call Data Writing API, before, during and after a call. */
let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const CALLER = '+13015550123';

/** A campaign with a greeting (so a call waits in the menu), a gold-only buyer first and a fallback. */
async function setup(keyAttrs: Record<string, unknown> = {}) {
  const gold = await create(t, '/targets', 'target', {
    number: '+14155550001',
    priority: 1,
    tag_list: '<<<tier:gold>>>',
  });
  const other = await create(t, '/targets', 'target', { number: '+14155550002', priority: 2 });
  const c = await create(t, '/campaigns', 'campaign', {
    cid: 'dw',
    message: 'Press one.',
    menu_options_attributes: [{ option: '1' }],
    target_ids: [gold.id, other.id],
    timers_attributes: [],
  });
  const n = await create(t, '/numbers', 'number', { afid: 'p', cid: 'dw' });
  const key = await create(t, '/campaigns/cid/dw/postback_keys', 'postback_key', {
    action: 'data_writing',
    ...keyAttrs,
  });
  return { gold, other, campaign: c, number: n.number as string, key: key.key as string };
}

const write = (path: string, body?: Record<string, unknown>) =>
  t.api(body ? 'POST' : 'GET', path, body, { key: null });

describe('GET /data_writing/{key} and POST /data_writing', () => {
  it('before a call: “call not found, tags stored”; the caller’s call within the TTL carries them', async () => {
    const s = await setup({ ttl_seconds: 60 });
    const res = await rawRequest(
      t,
      curl(
        'GET',
        `/data_writing/${s.key}?caller_number=${encodeURIComponent(CALLER)}&age=39&utm_campaign=auto`,
      ),
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      tag_values: { age: '39', utm_campaign: 'auto' },
      caller_number: CALLER,
      status: 'call not found, tags stored',
    });
    const sim = simOf(t);
    const call = await sim.call(CALLER, s.number);
    await sim.hangup(call.id);
    expect((await record(t, call.call_uuid)).tags).toMatchObject({ age: '39', utm_campaign: 'auto' });
    // Applied once: the next call from the caller does not get them again.
    const again = await sim.call(CALLER, s.number);
    await sim.hangup(again.id);
    expect((await record(t, again.call_uuid)).tags.age).toBeUndefined();
  });

  it('stored tags expire with the key’s TTL', async () => {
    const s = await setup({ ttl_seconds: 30 });
    await write(`/data_writing/${s.key}?caller_number=${encodeURIComponent(CALLER)}&age=39`);
    await t.clock.advance(31_000);
    const sim = simOf(t);
    const call = await sim.call(CALLER, s.number);
    await sim.hangup(call.id);
    expect((await record(t, call.call_uuid)).tags.age).toBeUndefined();
  });

  it('during a call: stored, and applied at its next routing decision (and kept at its end)', async () => {
    const s = await setup();
    const sim = simOf(t);
    const call = await sim.call(CALLER, s.number);
    await sim.advance(1);
    const body = JSON.stringify({ key: s.key, caller_number: CALLER, tier: 'gold' });
    const res = await rawRequest(
      t,
      curl('POST', '/data_writing', ['Content-Type: application/json'], body),
      body,
    );
    expect(res.body).toEqual({
      tag_values: { tier: 'gold' },
      call_uuid: call.call_uuid,
      status: 'call in progress, tags stored',
    });
    await sim.press(call.id, '1');
    await sim.advance(3);
    const r = await record(t, call.call_uuid);
    expect(r.target_id).toBe(s.gold.id);
    await sim.hangup(call.id);
    expect((await record(t, call.call_uuid)).tags).toMatchObject({ tier: 'gold' });
  });

  it('during a call with no routing left: applied at its end', async () => {
    const s = await setup();
    const sim = simOf(t);
    const call = await sim.call(CALLER, s.number);
    await sim.press(call.id, '1');
    await sim.advance(3);
    const res = await write('/data_writing', { key: s.key, call_uuid: call.call_uuid, note: 'late' });
    expect(res.body.status).toBe('call in progress, tags stored');
    expect((await record(t, call.call_uuid)).tags.note).toBeUndefined();
    await sim.hangup(call.id);
    expect((await record(t, call.call_uuid)).tags.note).toBe('late');
  });

  it('after a call: “completed call found, tags applied”, by caller number or call uuid', async () => {
    const s = await setup();
    const sim = simOf(t);
    const call = await sim.call(CALLER, s.number);
    await sim.hangup(call.id);
    const res = await write(`/data_writing/${s.key}?caller_number=${encodeURIComponent(CALLER)}&age=39`);
    expect(res.body).toEqual({
      tag_values: { age: '39' },
      call_uuid: call.call_uuid,
      status: 'completed call found, tags applied',
    });
    const byUuid = await write('/data_writing', { key: s.key, call_uuid: call.call_uuid, sold: 'yes' });
    expect(byUuid.body.status).toBe('completed call found, tags applied');
    expect((await record(t, call.call_uuid)).tags).toMatchObject({ age: '39', sold: 'yes' });
    const v3 = await t.api('GET', `/api/v3/calls/${call.call_uuid}.json`);
    expect(v3.body.call.tags).toMatchObject({ age: '39', sold: 'yes' });
  });

  it('bad key 401, paused key 403, neither caller nor call 400, unknown call 404, another campaign’s call 404', async () => {
    const s = await setup();
    const unknown = await write(
      '/data_writing/00000000-0000-4000-8000-000000000000?caller_number=%2B13015550123',
    );
    expect([unknown.status, unknown.body.error]).toEqual([
      401,
      'Unauthorized: unknown or revoked postback key',
    ]);
    const paused = await create(t, '/campaigns/cid/dw/postback_keys', 'postback_key', { paused: 1 });
    const p = await write(`/data_writing/${paused.key}?caller_number=%2B13015550123`);
    expect([p.status, p.body.error]).toEqual([403, 'Forbidden: postback key is paused']);
    const missing = await write('/data_writing', { key: s.key, age: '39' });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.errors).sort()).toEqual(['call_uuid', 'caller_number']);
    const badNumber = await write('/data_writing', { key: s.key, caller_number: 'nope' });
    expect(badNumber.status).toBe(400);
    const noCall = await write('/data_writing', {
      key: s.key,
      call_uuid: '9b653cf0-4835-493b-860c-aed9b7af2a4a',
    });
    expect(noCall.status).toBe(404);
    const otherCampaign = await create(t, '/campaigns', 'campaign', { cid: 'other' });
    const n = await create(t, '/numbers', 'number', { afid: 'p', cid: otherCampaign.cid });
    const sim = simOf(t);
    const call = await sim.call(CALLER, n.number);
    const cross = await write('/data_writing', { key: s.key, call_uuid: call.call_uuid, x: '1' });
    expect(cross.status).toBe(404);
    expect((await record(t, call.call_uuid)).tags.x).toBeUndefined();
  });

  it('applies the key’s tag_prefix', async () => {
    const s = await setup({ tag_prefix: 'pub_' });
    const res = await write(`/data_writing/${s.key}?caller_number=%2B13015550123&age=39`);
    expect(res.body.tag_values).toEqual({ pub_age: '39' });
  });
});

describe('rate limit (per postback key, shared with RTB pings)', () => {
  it('answers 429 in the Core error shape with Retry-After past the limit, per key, until the minute ends', async () => {
    await t.close();
    t = await createTestApp({ POSTBACK_RATE_LIMIT_PER_MINUTE: '3' });
    const s = await setup();
    const other = await create(t, '/campaigns/cid/dw/postback_keys', 'postback_key', {});
    const dw = (key: string) =>
      write(`/data_writing/${key}?caller_number=${encodeURIComponent(CALLER)}&age=39`);
    // A ping with the key counts toward the same limit as Data Writing with it.
    const pinged = await t.api(
      'POST',
      `/rtbs.json?key=${s.key}&publisher_id=p&caller_number=${encodeURIComponent(CALLER)}`,
      undefined,
      { key: null },
    );
    expect(pinged.status, pinged.text).not.toBe(429);
    expect((await dw(s.key)).status).toBe(200);
    expect((await write('/data_writing', { key: s.key, caller_number: CALLER, age: '40' })).status).toBe(200);
    const limited = await dw(s.key);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ status: 429, error: 'Too Many Requests' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Nothing was stored for the refused request.
    const stored = await t.app.store.db.selectFrom('stored_tags').select('id').execute();
    expect(stored).toHaveLength(2);
    // Another key has its own count; the next minute starts over.
    expect((await dw(other.key)).status).toBe(200);
    await t.clock.advance(60_000);
    expect((await dw(s.key)).status).toBe(200);
  });
});
