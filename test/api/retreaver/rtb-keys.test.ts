import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { CALLER, ping, rtbSetup } from './rtb-setup.js';

let t: TestApp;
let setup: Awaited<ReturnType<typeof rtbSetup>>;
const base = '/campaigns/cid/rtb1/postback_keys';

beforeAll(async () => {
  t = await createTestApp();
  setup = await rtbSetup(t);
});
afterAll(async () => t.close());

describe('Postback keys (Core API)', () => {
  it('issues a key with defaults and every field', async () => {
    const k = setup.postbackKey;
    expect(Object.keys(k).sort()).toEqual(
      [
        'cid',
        'created_at',
        'id',
        'key',
        'name',
        'number_pool_id',
        'ping_shield',
        'required_tags',
        'reservation_seconds',
        'reservation_url',
        'revoked_at',
        'rtb_url',
        'updated_at',
        // Retreaver's key form (issue 18.4).
        'action',
        'ttl_seconds',
        'tag_prefix',
        'timeout',
        'inbound_number',
        'return_dba',
        'add_to_caps_on_status_reserved',
        'route_only_to_reserved_target',
        'allow_no_caller_number',
        'paused',
        'claim_percent_threshold',
        'blocked_inbound_percent',
        'ping_shield_outbound_count_limit',
        'ping_shield_outbound_ms_limit',
        'data_writing_url',
      ].sort(),
    );
    expect(k).toMatchObject({
      cid: 'rtb1',
      name: null,
      required_tags: [],
      reservation_seconds: 120,
      ping_shield: true,
      number_pool_id: null,
      revoked_at: null,
    });
    expect(k.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(k.rtb_url).toContain(
      `/rtbs.json?key=${k.key}&publisher_id=[publisher_id]&caller_number=[caller_number]`,
    );
    expect(k.reservation_url).toContain(`/call_reservations.json?key=${k.key}&affiliate_id=[publisher_id]`);
  });

  it('names required tags, which appear in the webhook URLs', async () => {
    const res = await t.api('POST', `${base}.json`, {
      postback_key: {
        name: 'zip',
        required_tags: ['caller_zip', 'age'],
        reservation_seconds: 30,
        ping_shield: false,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.postback_key).toMatchObject({
      name: 'zip',
      required_tags: ['caller_zip', 'age'],
      reservation_seconds: 30,
      ping_shield: false,
    });
    expect(res.body.postback_key.reservation_url).toMatch(/&caller_zip=\[caller_zip\]&age=\[age\]$/);
  });

  it('refuses bad attributes with 400', async () => {
    for (const body of [
      { required_tags: ['bad tag'] },
      { reservation_seconds: 1 },
      { number_pool_id: 999 },
      { colour: 'red' },
    ]) {
      const res = await t.api('POST', `${base}.json`, { postback_key: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors).toBeDefined();
    }
  });

  it('lists live keys (by cid and by campaign id) and gets one', async () => {
    const list = await t.api('GET', `${base}.json`);
    expect(list.status).toBe(200);
    expect(list.headers['x-total-count']).toBe(String(list.body.length));
    expect(list.body.map((x: any) => x.postback_key.key)).toContain(setup.key);
    const byId = await t.api(
      'GET',
      `/campaigns/${setup.campaign.id}/postback_keys/${setup.postbackKey.id}.json`,
    );
    expect(byId.status).toBe(200);
    expect(byId.body.postback_key.key).toBe(setup.key);
  });

  it('is tenant-scoped: another company sees 404', async () => {
    const other = await t.addTenant();
    const res = await t.api('GET', `${base}/${setup.postbackKey.id}.json`, undefined, { key: other.key });
    expect(res.status).toBe(404);
  });

  it('revokes: answers the key with revoked_at, then 410, and pings with it are 401', async () => {
    const k = (await t.api('POST', `${base}.json`, { postback_key: {} })).body.postback_key;
    const del = await t.api('DELETE', `${base}/${k.id}.json`);
    expect(del.status).toBe(200);
    expect(new Date(del.body.postback_key.revoked_at).getTime()).toBe(t.clock.now());
    expect((await t.api('GET', `${base}/${k.id}.json`)).status).toBe(410);
    const list = await t.api('GET', `${base}.json`);
    expect(list.body.map((x: any) => x.postback_key.id)).not.toContain(k.id);
    const res = await ping(t, { key: k.key, publisher_id: setup.afid, caller_number: CALLER });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ status: 401, error: 'Unauthorized: unknown or revoked postback key' });
  });

  it('needs the api_key (Core API auth) to manage keys', async () => {
    expect((await t.api('GET', `${base}.json`, undefined, { key: null })).status).toBe(401);
  });
});
