import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

let seq = 0;
/** A new target with a unique valid number; returns its JSON representation. */
async function newTarget(attrs: Record<string, unknown> = {}) {
  seq += 1;
  const res = await t.api('POST', '/targets.json', {
    target: { number: `+1866898${String(7000 + seq)}`, ...attrs },
  });
  expect(res.status).toBe(201);
  return res.body.target;
}

const countTargets = async () =>
  Number(
    (
      await t.app.store.db
        .selectFrom('targets')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('company_id', '=', t.companyId)
        .executeTakeFirstOrThrow()
    ).n,
  );

const dbRow = (id: number) =>
  t.app.store.db.selectFrom('targets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('Targets: create and read', () => {
  it('creates the seed example with every documented field and default', async () => {
    const res = await t.api('POST', '/targets.json', {
      target: { number: '+18668987878', name: 'Retreaver Support' },
    });
    expect(res.status).toBe(201);
    const tg = res.body.target;
    const now = new Date(t.clock.now()).toISOString();
    expect(tg).toMatchObject({
      number: '+18668987878',
      sip_username: null,
      sip_password: null,
      cid_number_id: null,
      obfuscate_cid: false,
      created_at: now,
      updated_at: now,
      tid: null,
      priority: 1,
      weight: 1,
      timeout_seconds: 30,
      timer_offset: 0,
      send_digits: null,
      concurrency_cap: null,
      calls_in_progress: 0,
      inband_signals: false,
      time_zone: 'UTC',
      paused: false,
      paused_at: null,
      name: 'Retreaver Support',
      tag_values: [],
    });
    expect(Object.keys(tg)).toEqual([
      'id',
      'number',
      'sip_username',
      'sip_password',
      'cid_number_id',
      'obfuscate_cid',
      'created_at',
      'updated_at',
      'object_key',
      'tid',
      'priority',
      'weight',
      'timeout_seconds',
      'timer_offset',
      'send_digits',
      'concurrency_cap',
      'calls_in_progress',
      'inband_signals',
      'time_zone',
      'paused',
      'paused_at',
      'name',
      'live_call_mode',
      'ping_url',
      'caps',
      'business_hours',
      'tag_values',
    ]);
    expect(tg.object_key).toMatch(/^[0-9a-f]{64}$/);
    expect(tg.caps.map((c: any) => [c.type, c.cap, c.filled])).toEqual([
      ['Daily', null, 0],
      ['Hard', null, 0],
      ['Hourly', null, 0],
      ['Monthly', null, 0],
    ]);
    expect(new Set(tg.caps.map((c: any) => c.id)).size).toBe(4);
    expect(tg.business_hours).toHaveLength(7);
    tg.business_hours.forEach((h: any, day: number) => {
      expect(h).toEqual({
        id: expect.any(Number),
        target_id: tg.id,
        work_day: true,
        time_open: 0,
        time_close: 2400,
        day_of_week: day,
        invert: false,
        created_at: now,
        updated_at: now,
      });
    });
  });

  it('gives every target its own object key', async () => {
    const [a, b] = [await newTarget(), await newTarget()];
    expect(a.object_key).not.toBe(b.object_key);
  });

  it('accepts every documented parameter on create', async () => {
    const tg = await newTarget({
      name: 'Full',
      sip_username: 'u',
      sip_password: 'p',
      tid: 'full-1',
      priority: 3,
      weight: 7,
      timeout_seconds: 45,
      inband_signals: true,
      timer_offset: -5,
      send_digits: '1w2#',
      concurrency_cap: 4,
      paused: true,
      time_zone: 'Eastern Time (US & Canada)',
      tag_list: '<<<state:CA>>>',
      daily_cap_attributes: { cap: 9 },
      business_hours_attributes: [{ day_of_week: 1, time_open: 900, time_close: 1730, work_day: true }],
    });
    expect(tg).toMatchObject({
      name: 'Full',
      sip_username: 'u',
      sip_password: 'p',
      tid: 'full-1',
      priority: 3,
      weight: 7,
      timeout_seconds: 45,
      inband_signals: true,
      timer_offset: -5,
      send_digits: '1w2#',
      concurrency_cap: 4,
      paused: true,
      paused_at: new Date(t.clock.now()).toISOString(),
      time_zone: 'Eastern Time (US & Canada)',
    });
    expect(tg.tag_values).toEqual([{ key: 'state', value: 'CA', operator: '==', id: expect.any(Number) }]);
    expect(tg.caps.find((c: any) => c.type === 'Daily').cap).toBe(9);
    expect(tg.business_hours[1]).toMatchObject({ day_of_week: 1, time_open: 900, time_close: 1730 });
    expect(tg.business_hours).toHaveLength(7);
  });

  it('normalizes numbers to E.164 and accepts SIP URIs', async () => {
    expect((await newTarget({ number: '(866) 898-7000' })).number).toBe('+18668987000');
    expect((await newTarget({ number: 'sip:agent@pbx.example.com' })).number).toBe(
      'sip:agent@pbx.example.com',
    );
  });

  it('refuses a missing, blank or malformed number and writes nothing', async () => {
    const before = await countTargets();
    for (const number of [undefined, '', '12', 'call me', 'sip:nobody', null]) {
      const res = await t.api('POST', '/targets.json', {
        target: { name: 'x', ...(number === undefined ? {} : { number }) },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, error: expect.any(String) });
      expect(res.body.errors.number).toBeDefined();
    }
    expect(await countTargets()).toBe(before);
  });

  it('gets by id and by tid, in JSON and XML', async () => {
    const tg = await newTarget({ tid: 'xml-1', timeout_seconds: 15, daily_cap_attributes: { cap: 5 } });
    expect((await t.api('GET', `/targets/${tg.id}.json`)).body.target.tid).toBe('xml-1');
    expect((await t.api('GET', '/targets/tid/xml-1.json')).body.target.id).toBe(tg.id);
    const xml = await t.api('GET', '/targets/tid/xml-1.xml');
    expect(xml.headers['content-type']).toContain('text/xml');
    expect(xml.text).toContain('<timeout-seconds type="integer">15</timeout-seconds>');
    expect(xml.text).toContain('<caps type="array">');
    expect(xml.text).toMatch(
      /<cap>\s*<id type="integer">\d+<\/id>\s*<filled type="integer">0<\/filled>\s*<cap type="integer">5<\/cap>/,
    );
    expect(xml.text).toContain('<business-hours type="array">');
    expect(xml.text).toContain('<day-of-week type="integer">6</day-of-week>');
    expect(xml.text).toContain('<tag-values type="array"');
    expect(xml.text).toContain('<paused-at nil="true"');
    expect(xml.text).toMatch(/<created-at type="datetime">\d{4}-/);
  });

  it('lists as an XML array', async () => {
    const xml = await t.api('GET', '/targets.xml');
    expect(xml.text).toContain('<targets type="array">');
    expect(xml.text).toContain('<target>');
  });

  it('takes an XML request body', async () => {
    const body = `<?xml version="1.0"?><target><number>+18668987111</number><name>From XML</name>
      <priority type="integer">4</priority><paused type="boolean">true</paused></target>`;
    const res = await t.api('POST', '/targets.json', undefined, {
      rawBody: body,
      headers: { 'content-type': 'text/xml' },
    });
    expect(res.status).toBe(201);
    expect(res.body.target).toMatchObject({
      number: '+18668987111',
      name: 'From XML',
      priority: 4,
      paused: true,
    });
  });

  it('takes a form-encoded body', async () => {
    const body = 'target[number]=%2B18668987112&target[weight]=3&target[hard_cap_attributes][cap]=8';
    const res = await t.api('POST', '/targets.json', undefined, {
      rawBody: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(201);
    expect(res.body.target.weight).toBe(3);
    expect(res.body.target.caps[1]).toMatchObject({ type: 'Hard', cap: 8 });
  });

  it('pages by 25 with a Link header', async () => {
    const other = await t.addTenant();
    for (let i = 0; i < 26; i++) {
      await t.api(
        'POST',
        '/targets.json',
        { target: { number: `+1866555${String(1000 + i)}` } },
        { key: other.key },
      );
    }
    const first = await t.api('GET', '/targets.json', undefined, { key: other.key });
    expect(first.body).toHaveLength(25);
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers['x-total-count']).toBe('26');
    const second = await t.api('GET', '/targets.json?page=2', undefined, { key: other.key });
    expect(second.body).toHaveLength(1);
    expect(second.body[0].target.number).toBe('+18665551025');
    expect(second.body[0].target.caps).toHaveLength(4);
    expect(second.body[0].target.business_hours).toHaveLength(7);
  });
});

describe('Targets: update', () => {
  it('changes only what is passed and moves updated_at', async () => {
    const tg = await newTarget({ name: 'Before', priority: 2 });
    await t.clock.advance(60_000);
    const res = await t.api('PUT', `/targets/${tg.id}.json`, { target: { name: 'After' } });
    expect(res.status).toBe(200);
    expect(res.body.target).toMatchObject({
      name: 'After',
      priority: 2,
      number: tg.number,
      created_at: tg.created_at,
    });
    expect(Date.parse(res.body.target.updated_at)).toBe(Date.parse(tg.updated_at) + 60_000);
  });

  it('stamps paused_at when paused, keeps it when paused again, clears it when unpaused', async () => {
    const tg = await newTarget();
    const pausedAt = new Date(t.clock.now()).toISOString();
    expect(
      (await t.api('PUT', `/targets/${tg.id}.json`, { target: { paused: true } })).body.target.paused_at,
    ).toBe(pausedAt);
    await t.clock.advance(5_000);
    expect(
      (await t.api('PUT', `/targets/${tg.id}.json`, { target: { paused: true } })).body.target.paused_at,
    ).toBe(pausedAt);
    const un = await t.api('PUT', `/targets/${tg.id}.json`, { target: { paused: false } });
    expect(un.body.target).toMatchObject({ paused: false, paused_at: null });
  });

  it('stores seed zone names and maps IANA names to them; refuses unknown zones', async () => {
    const tg = await newTarget({ time_zone: 'Tokyo' });
    expect(tg.time_zone).toBe('Tokyo');
    const iana = await t.api('PUT', `/targets/${tg.id}.json`, { target: { time_zone: 'America/New_York' } });
    expect(iana.body.target.time_zone).toBe('Eastern Time (US & Canada)');
    const bad = await t.api('PUT', `/targets/${tg.id}.json`, {
      target: { time_zone: 'Mars/Olympus', name: 'nope' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.time_zone).toBeDefined();
    expect(await dbRow(tg.id)).toMatchObject({ time_zone: 'Eastern Time (US & Canada)', name: null });
  });

  it('sets, replaces and clears tags from a tag_list', async () => {
    const tg = await newTarget();
    const url = `/targets/${tg.id}.json`;
    const set = await t.api('PUT', url, {
      target: { tag_list: '<<<calling_about:support>>>,<<<calling_about:other>>>' },
    });
    expect(set.body.target.tag_values.map((v: any) => [v.key, v.value, v.operator])).toEqual([
      ['calling_about', 'support', '=='],
      ['calling_about', 'other', '=='],
    ]);
    const replaced = await t.api('PUT', url, { target: { tag_list: '<<<state:NY>>>' } });
    expect(replaced.body.target.tag_values.map((v: any) => v.value)).toEqual(['NY']);
    const bad = await t.api('PUT', url, { target: { tag_list: 'state:NY', name: 'nope' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.tag_list).toBeDefined();
    expect((await t.api('GET', url)).body.target).toMatchObject({
      name: null,
      tag_values: [expect.objectContaining({ value: 'NY' })],
    });
    expect((await t.api('PUT', url, { target: { tag_list: '' } })).body.target.tag_values).toEqual([]);
  });

  it('sets and lifts caps through the nested cap attributes', async () => {
    const tg = await newTarget();
    const url = `/targets/${tg.id}.json`;
    const res = await t.api('PUT', url, {
      target: {
        hard_cap_attributes: { cap: 100 },
        hourly_cap_attributes: { cap: 2 },
        monthly_cap_attributes: { cap: 0 },
      },
    });
    const byType = (b: any) => Object.fromEntries(b.target.caps.map((c: any) => [c.type, c.cap]));
    expect(byType(res.body)).toEqual({ Daily: null, Hard: 100, Hourly: 2, Monthly: 0 });
    expect(res.body.target.caps.map((c: any) => c.id)).toEqual(tg.caps.map((c: any) => c.id));
    const lifted = await t.api('PUT', url, { target: { hard_cap_attributes: { cap: null } } });
    expect(byType(lifted.body)).toEqual({ Daily: null, Hard: null, Hourly: 2, Monthly: 0 });
  });

  it('refuses bad caps and writes nothing', async () => {
    const tg = await newTarget({ name: 'caps' });
    const url = `/targets/${tg.id}.json`;
    for (const attrs of [{ cap: -1 }, {}, { cap: 'lots' }, { cap: 1.5 }, { cap: 5, extra: 1 }]) {
      const res = await t.api('PUT', url, { target: { name: 'changed', daily_cap_attributes: attrs } });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.errors).join()).toContain('daily_cap_attributes');
    }
    expect((await t.api('GET', url)).body.target).toMatchObject({ name: 'caps', caps: tg.caps });
  });

  it('refuses wrong types, unknown fields and out-of-range values with 400, never 500', async () => {
    const tg = await newTarget({ name: 'typed' });
    const url = `/targets/${tg.id}.json`;
    const cases: [Record<string, unknown>, string][] = [
      [{ priority: 'high' }, 'priority'],
      [{ weight: -1 }, 'weight'],
      [{ timeout_seconds: 0 }, 'timeout_seconds'],
      [{ paused: 'maybe' }, 'paused'],
      [{ concurrency_cap: 1e12 }, 'concurrency_cap'],
      [{ colour: 'red' }, 'colour'],
      [{ send_digits: '12abc' }, 'send_digits'],
      [{ business_hours_attributes: 'all day' }, 'business_hours_attributes'],
      [{ inband_signals: [] }, 'inband_signals'],
      [{ name: { first: 'x' } }, 'name'],
    ];
    for (const [attrs, field] of cases) {
      const res = await t.api('PUT', url, { target: { tid: 'should-not-stick', ...attrs } });
      expect(res.status, JSON.stringify(attrs)).toBe(400);
      expect(Object.keys(res.body.errors).join(), JSON.stringify(attrs)).toContain(field);
    }
    expect(await dbRow(tg.id)).toMatchObject({ tid: null, name: 'typed', priority: 1 });
  });

  it('accepts a GET representation sent back with a change (read-only fields ignored)', async () => {
    const tg = await newTarget({ name: 'Echo' });
    const res = await t.api('PUT', `/targets/${tg.id}.json`, {
      target: { ...tg, weight: 9, id: 999, object_key: 'x' },
    });
    expect(res.status).toBe(200);
    expect(res.body.target).toMatchObject({ id: tg.id, weight: 9, object_key: tg.object_key, name: 'Echo' });
  });

  it('keeps tids unique per company, frees them on delete, and blanks to null', async () => {
    const a = await newTarget({ tid: 'dup' });
    const dup = await t.api('POST', '/targets.json', { target: { number: '+18668987333', tid: 'dup' } });
    expect(dup.status).toBe(400);
    expect(dup.body.errors.tid).toEqual(['has already been taken']);
    expect((await t.api('PUT', `/targets/${a.id}.json`, { target: { tid: 'dup' } })).status).toBe(200);
    const other = await t.addTenant();
    const elsewhere = await t.api(
      'POST',
      '/targets.json',
      { target: { number: '+18668987333', tid: 'dup' } },
      { key: other.key },
    );
    expect(elsewhere.status).toBe(201);
    await t.api('DELETE', `/targets/${a.id}.json`);
    expect((await newTarget({ tid: 'dup' })).tid).toBe('dup');
    expect((await newTarget({ tid: '  ' })).tid).toBeNull();
  });
});
