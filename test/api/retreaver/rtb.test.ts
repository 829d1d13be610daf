import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { CALLER, ping, rtbSetup } from './rtb-setup.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const NOW = Date.UTC(2025, 0, 6, 15, 0, 0);

describe('POST /rtbs.json: parameter forms', () => {
  it("takes the seed's query string (an unencoded + in caller_number) and answers every field", async () => {
    const s = await rtbSetup(t);
    const res = await ping(t, { key: s.key, publisher_id: s.afid, caller_number: CALLER });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.keys(res.body)).toEqual([
      'uuid',
      'status',
      'retreaver_payout',
      'retreaver_seconds',
      'inbound_number',
      'expires_at',
    ]);
    expect(res.body.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.status).toBe('reserved');
    expect(res.body.inbound_number).toMatch(/^\+18\d{9}$/);
    expect(res.body.expires_at).toBe(new Date(NOW + 120_000).toISOString());
    // No conversion rule on the campaign: nothing is offered.
    expect(res.body.retreaver_payout).toBeNull();
    expect(res.body.retreaver_seconds).toBeNull();
  });

  it('takes a JSON body', async () => {
    const s = await rtbSetup(t);
    const res = await t.api(
      'POST',
      '/rtbs.json',
      { key: s.key, publisher_id: s.afid, caller_number: CALLER, caller_zip: 12344 },
      { key: null },
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('reserved');
    const row = await t.app.store.db.selectFrom('reservations').selectAll().executeTakeFirstOrThrow();
    expect(JSON.parse(row.tags)).toEqual({ caller_zip: '12344' });
    expect(row.caller_number).toBe(CALLER);
  });

  it('takes a form body, and source_id for publisher_id', async () => {
    const s = await rtbSetup(t);
    const body = `key=${s.key}&source_id=${s.afid}&caller_number=%2B18558485518&age=25`;
    const res = await t.api('POST', '/rtbs.json', undefined, {
      key: null,
      rawBody: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.status).toBe('reserved');
    const row = await t.app.store.db.selectFrom('reservations').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ afid: s.afid, caller_number: CALLER });
    expect(JSON.parse(row.tags)).toEqual({ age: '25' });
  });

  it('tags the ping with every other parameter (the seed: caller_zip and age)', async () => {
    const s = await rtbSetup(t);
    await ping(t, {
      key: s.key,
      publisher_id: s.afid,
      caller_number: CALLER,
      caller_zip: '12344',
      age: '25',
    });
    const row = await t.app.store.db.selectFrom('reservations').selectAll().executeTakeFirstOrThrow();
    expect(JSON.parse(row.tags)).toEqual({ caller_zip: '12344', age: '25' });
  });

  it('answers XML by extension', async () => {
    const s = await rtbSetup(t);
    const res = await ping(t, { key: s.key, publisher_id: s.afid, caller_number: CALLER }, '/rtbs.xml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(res.text).toContain('<status>reserved</status>');
  });

  it('reserves a static inbound number of the campaign instead of a pool number', async () => {
    const s = await rtbSetup(t, { pool: null });
    const n = await t.api('POST', '/numbers.json', { number: { afid: s.afid, cid: 'rtb1' } });
    const res = await ping(t, {
      key: s.key,
      publisher_id: s.afid,
      caller_number: CALLER,
      inbound_number: n.body.number.number,
    });
    expect(res.body).toMatchObject({ status: 'reserved', inbound_number: n.body.number.number });
    // A static number is shared: another caller may reserve it too (calls are matched by caller).
    const other = await ping(t, {
      key: s.key,
      publisher_id: s.afid,
      caller_number: '+13015550100',
      inbound_number: n.body.number.number,
    });
    expect(other.body).toMatchObject({ status: 'reserved', inbound_number: n.body.number.number });
  });
});

describe('POST /rtbs.json: errors', () => {
  it('401 without a key or with an unknown one', async () => {
    await rtbSetup(t);
    for (const key of [undefined, 'nope']) {
      const res = await ping(t, {
        ...(key ? { key } : {}),
        publisher_id: 'retreaver_pub',
        caller_number: CALLER,
      });
      expect(res.status).toBe(401);
    }
  });

  it('400 naming every missing or bad parameter', async () => {
    const s = await rtbSetup(t, { key: { required_tags: ['caller_zip'] } });
    const res = await ping(t, { key: s.key, caller_number: 'abc' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual({
      caller_number: ['is not a valid phone number'],
      publisher_id: ["can't be blank"],
      caller_zip: ["can't be blank"],
    });
    const unknown = await ping(t, {
      key: s.key,
      publisher_id: 'ghost',
      caller_number: CALLER,
      caller_zip: '1',
    });
    expect(unknown.body.errors).toEqual({
      publisher_id: ['does not match any publisher: create the publisher first'],
    });
    const inbound = await ping(t, {
      key: s.key,
      publisher_id: s.afid,
      caller_number: CALLER,
      caller_zip: '1',
      inbound_number: '+18005550100',
    });
    expect(inbound.body.errors).toEqual({ inbound_number: ['is not a number of this campaign'] });
    const missing = await ping(t, { key: s.key, publisher_id: s.afid });
    expect(missing.body.errors).toMatchObject({ caller_number: ["can't be blank"] });
  });

  it('405 for other verbs, 406 for other formats', async () => {
    const s = await rtbSetup(t);
    expect((await t.api('GET', `/rtbs.json?key=${s.key}`, undefined, { key: null })).status).toBe(405);
    expect((await ping(t, { key: s.key }, '/rtbs.csv')).status).toBe(406);
  });
});

describe('POST /rtbs.json: statuses', () => {
  it('no-target when no buyer would take the caller (paused, tags, hours); nothing is reserved', async () => {
    const s = await rtbSetup(t, {
      targets: [
        { paused: true },
        { tag_list: '<<<caller_zip:90210>>>' },
        {
          // 10:00 in New York now; open from noon.
          tag_list: '<<<caller_zip:12344>>>',
          time_zone: 'Eastern Time (US & Canada)',
          business_hours_attributes: [{ day_of_week: 1, time_open: 1200, time_close: 1700 }],
        },
      ],
    });
    const res = await ping(t, {
      key: s.key,
      publisher_id: s.afid,
      caller_number: CALLER,
      caller_zip: '12344',
    });
    expect(res.body).toEqual({
      uuid: expect.any(String),
      status: 'no-target',
      retreaver_payout: null,
      retreaver_seconds: null,
      inbound_number: null,
      expires_at: null,
    });
    // The tagged buyer takes the matching caller.
    const match = await ping(t, {
      key: s.key,
      publisher_id: s.afid,
      caller_number: '+13015550100',
      caller_zip: '90210',
    });
    expect(match.body.status).toBe('reserved');
    const rows = await t.app.store.db.selectFrom('reservations').selectAll().orderBy('id').execute();
    expect(rows.map((r) => [r.status, r.target_id, r.inbound_number])).toEqual([
      ['no-target', null, null],
      ['reserved', s.targets[1].id, match.body.inbound_number],
    ]);
  });

  it('no-target when the buyer is at its concurrency cap or a cap is full', async () => {
    const s = await rtbSetup(t, { targets: [{ concurrency_cap: 1 }, { daily_cap_attributes: { cap: 0 } }] });
    const lease = await t.app.live.leases.tryAcquire(
      [{ owner: `target:${s.targets[0].id}`, concurrencyCap: 1, caps: [] }],
      'a-live-call',
    );
    const busy = await ping(t, { key: s.key, publisher_id: s.afid, caller_number: CALLER });
    expect(busy.body.status).toBe('no-target');
    // Live call counts are read on every ping (no cache): the freed slot is seen at once.
    await lease!.release();
    const free = await ping(t, { key: s.key, publisher_id: s.afid, caller_number: '+13015550100' });
    expect(free.body.status).toBe('reserved');
  });

  it('offers the payout of the most specific conversion rule for the buyer and publisher', async () => {
    const s = await rtbSetup(t, { targets: [{}] });
    const rules = '/campaigns/cid/rtb1/conversion_rules.json';
    await t.api('POST', rules, { conversion_rule: { seconds: 60, payout: 2 } });
    await t.api('POST', rules, { conversion_rule: { seconds: 90, payout: 9, target_id: s.targets[0].id } });
    await t.api('POST', rules, { conversion_rule: { seconds: 10, payout: 5, target_id: s.targets[0].id } });
    const res = await ping(t, { key: s.key, publisher_id: s.afid, caller_number: CALLER });
    expect(res.body).toMatchObject({ status: 'reserved', retreaver_payout: 5, retreaver_seconds: 10 });
  });

  it('no-number when every pool number is reserved and the pool is at max_pool_size; pools grow up to it', async () => {
    const s = await rtbSetup(t, { pool: { max_pool_size: 2 } });
    const answers = [];
    for (const caller of ['+13015550101', '+13015550102', '+13015550103']) {
      answers.push((await ping(t, { key: s.key, publisher_id: s.afid, caller_number: caller })).body);
    }
    expect(answers.map((a) => a.status)).toEqual(['reserved', 'reserved', 'no-number']);
    expect(answers[2]).toMatchObject({ inbound_number: null, expires_at: null });
    expect(new Set(answers.slice(0, 2).map((a) => a.inbound_number)).size).toBe(2);
    const pool = await t.api('GET', `/number_pools/${s.pool.id}.json`);
    expect(pool.body.number_pool.numbers_count).toBe(2);
  });

  // The inventory gives up after 2,000 draws, each a lookup: slow on a busy machine.
  it('no-number (not a 500) when the number inventory has nothing left to provision', {
    timeout: 120_000,
  }, async () => {
    const s = await rtbSetup(t, { pool: { max_pool_size: 5 } });
    // A random source that always draws the same number: the second provisioning finds only used ones.
    (t.app.services.reservations as unknown as { random: () => number }).random = () => 0.5;
    const first = await ping(t, { key: s.key, publisher_id: s.afid, caller_number: '+13015550101' });
    expect(first.body.status).toBe('reserved');
    const second = await ping(t, { key: s.key, publisher_id: s.afid, caller_number: '+13015550102' });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'no-number', inbound_number: null, expires_at: null });
  });

  it('no-number with no pool and no inbound_number', async () => {
    const s = await rtbSetup(t, { pool: null });
    const res = await ping(t, { key: s.key, publisher_id: s.afid, caller_number: CALLER });
    expect(res.body.status).toBe('no-number');
  });
});

describe('Ping shield', () => {
  it('on: a repeat ping before expiry gets the same reservation, flagged, without asking the buyers', async () => {
    const s = await rtbSetup(t);
    const params = { key: s.key, publisher_id: s.afid, caller_number: CALLER };
    const first = (await ping(t, params)).body;
    // The buyer goes away; a shielded answer does not notice, since buyers are not asked again.
    await t.api('PUT', `/targets/${s.targets[0].id}.json`, { target: { paused: true } });
    await t.clock.advance(60_000);
    const second = (await ping(t, params)).body;
    expect(second).toEqual({ ...first, retreaver_ping_shield: true });
    expect(await t.app.store.db.selectFrom('reservations').select('id').execute()).toHaveLength(1);
    // After expiry the shield is down: buyers are asked again (and the paused one declines).
    await t.clock.advance(60_000);
    const third = (await ping(t, params)).body;
    expect(third.uuid).not.toBe(first.uuid);
    expect(third.status).toBe('no-target');
    expect(third.retreaver_ping_shield).toBeUndefined();
  });

  it('off: a repeat ping asks the buyers again and replaces the earlier reservation', async () => {
    const s = await rtbSetup(t, { key: { ping_shield: false } });
    const params = { key: s.key, publisher_id: s.afid, caller_number: CALLER };
    const first = (await ping(t, params)).body;
    const second = (await ping(t, params)).body;
    expect(second.uuid).not.toBe(first.uuid);
    expect(second.status).toBe('reserved');
    expect(second.retreaver_ping_shield).toBeUndefined();
    const rows = await t.app.store.db.selectFrom('reservations').selectAll().orderBy('id').execute();
    expect(rows.map((r) => r.status)).toEqual(['expired', 'reserved']);
    expect(rows[0].wiped_at).toBe(NOW);
  });

  it('is per caller: another caller gets a reservation of their own', async () => {
    const s = await rtbSetup(t);
    const a = (await ping(t, { key: s.key, publisher_id: s.afid, caller_number: CALLER })).body;
    const b = (await ping(t, { key: s.key, publisher_id: s.afid, caller_number: '+13015550100' })).body;
    expect(b.uuid).not.toBe(a.uuid);
    expect(b.inbound_number).not.toBe(a.inbound_number);
  });
});
