import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.api('POST', '/campaigns.json', { campaign: { cid: '111' } });
  await t.api('POST', '/campaigns.json', { campaign: { cid: '222' } });
  await t.api('POST', '/affiliates.json', { affiliate: { afid: '0001' } });
});
afterAll(async () => t.close());

const poolCount = async () =>
  Number(
    (
      await t.app.store.db
        .selectFrom('number_pools')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const create = async (number_pool: object) => {
  const res = await t.api('POST', '/number_pools.json', { number_pool });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.number_pool;
};

function expectBadRequest(res: { status: number; body: any }, field: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.status).toBe(400);
  expect(typeof res.body.error).toBe('string');
  expect(Object.keys(res.body.errors ?? {}), JSON.stringify(res.body)).toContain(field);
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';

describe('Number pools', () => {
  it("creates the seed's pool with Google Analytics paths", async () => {
    const p = await create({
      cid: '111',
      max_pool_size: 100,
      hide_embedded_access: true,
      google_analytics: true,
    });
    expect(p).toMatchObject({
      numbers_count: 0,
      type: 'Toll-free',
      country: 'US',
      max_pool_size: 100,
      buffer_seconds: 0,
      google_analytics: true,
      hide_embedded_access: true,
      afid: null,
      cid: '111',
      reserve_size: 1,
    });
    expect(Number.isInteger(p.id)).toBe(true);
    expect(new Date(p.created_at).getTime()).toBe(t.clock.now());
    expect(p.google_analytics_paths.map((g: any) => g.name)).toEqual([
      'Network timer (always)',
      'Network timer (connect)',
    ]);
    for (const g of p.google_analytics_paths) expect(g.path).toMatch(new RegExp(`^/callpixels/${UUID}$`));
    expect(p.google_analytics_paths[0].path).not.toBe(p.google_analytics_paths[1].path);
  });

  it('returns exactly the documented fields and defaults', async () => {
    const p = await create({ cid: '222', afid: '0001' });
    expect(Object.keys(p).sort()).toEqual(
      [
        'afid',
        'buffer_seconds',
        'cid',
        'country',
        'created_at',
        'google_analytics',
        'hide_embedded_access',
        'id',
        'max_pool_size',
        'numbers_count',
        'reserve_size',
        'type',
        'updated_at',
      ].sort(),
    );
    expect(p).toMatchObject({
      type: 'Toll-free',
      country: 'US',
      max_pool_size: 10,
      buffer_seconds: 0,
      google_analytics: false,
      hide_embedded_access: false,
      afid: '0001',
      reserve_size: 1,
    });
  });

  it('stores every settable field', async () => {
    const p = await create({
      cid: '111',
      type: 'local',
      country: 'ca',
      max_pool_size: 5,
      buffer_seconds: 300,
      reserve_size: 3,
    });
    expect(p).toMatchObject({
      type: 'Local',
      country: 'CA',
      max_pool_size: 5,
      buffer_seconds: 300,
      reserve_size: 3,
    });
  });

  it('keeps its Google Analytics paths across reads and updates (numeric strings accepted)', async () => {
    const p = await create({ cid: '111', google_analytics: true });
    await t.clock.advance(5000);
    const res = await t.api('PUT', `/number_pools/${p.id}.json`, { number_pool: { max_pool_size: '1000' } });
    expect(res.status).toBe(200);
    expect(res.body.number_pool.max_pool_size).toBe(1000);
    expect(new Date(res.body.number_pool.updated_at).getTime()).toBe(t.clock.now());
    expect(res.body.number_pool.created_at).toBe(p.created_at);
    expect(res.body.number_pool.google_analytics_paths).toEqual(p.google_analytics_paths);
    expect(
      (await t.api('GET', `/number_pools/${p.id}.json`)).body.number_pool.google_analytics_paths,
    ).toEqual(p.google_analytics_paths);
  });

  it('counts the numbers that belong to the pool', async () => {
    const p = await create({ cid: '111' });
    const n = await t.api('POST', '/numbers.json', { number: { afid: '0001', cid: '111' } });
    await t.app.store.db
      .updateTable('numbers')
      .set({ number_pool_id: p.id })
      .where('id', '=', n.body.number.id)
      .execute();
    expect((await t.api('GET', `/number_pools/${p.id}.json`)).body.number_pool.numbers_count).toBe(1);
    await t.api('DELETE', `/numbers/${n.body.number.id}.json`);
    expect((await t.api('GET', `/number_pools/${p.id}.json`)).body.number_pool.numbers_count).toBe(0);
  });

  const bad: [string, object, string][] = [
    ['a missing cid', {}, 'cid'],
    ['an unknown cid', { cid: 'nope' }, 'cid'],
    ['an unknown afid (pools do not create affiliates)', { cid: '111', afid: 'nobody' }, 'afid'],
    [
      'Google Analytics with an affiliate',
      { cid: '111', afid: '0001', google_analytics: true },
      'google_analytics',
    ],
    ['an unknown type', { cid: '111', type: 'Mobile' }, 'type'],
    ['an unknown country', { cid: '111', country: 'XX' }, 'country'],
    ['a zero pool size', { cid: '111', max_pool_size: 0 }, 'max_pool_size'],
    ['a reserve larger than the pool', { cid: '111', max_pool_size: 2, reserve_size: 3 }, 'reserve_size'],
    ['a wrong type', { cid: '111', google_analytics: 'sometimes' }, 'google_analytics'],
    ['an unknown field', { cid: '111', colour: 'red' }, 'colour'],
  ];
  it.each(bad)('answers 400 for %s, writing nothing', async (_label, body, field) => {
    const before = await poolCount();
    expectBadRequest(await t.api('POST', '/number_pools.json', { number_pool: body }), field);
    expect(await poolCount()).toBe(before);
  });

  it('refuses an affiliate on a Google Analytics pool on update, leaving it untouched', async () => {
    const p = await create({ cid: '111', google_analytics: true });
    expectBadRequest(
      await t.api('PUT', `/number_pools/${p.id}.json`, { number_pool: { afid: '0001', max_pool_size: 50 } }),
      'google_analytics',
    );
    expect((await t.api('GET', `/number_pools/${p.id}.json`)).body.number_pool).toEqual(p);
    const unassigned = await create({ cid: '111', afid: '0001' });
    const res = await t.api('PUT', `/number_pools/${unassigned.id}.json`, {
      number_pool: { afid: null, google_analytics: true },
    });
    expect(res.body.number_pool).toMatchObject({ afid: null, google_analytics: true });
  });

  it('filters by cid and afid', async () => {
    const ids = async (q: string) =>
      (await t.api('GET', `/number_pools.json?${q}`)).body.map(
        (x: any) => x.number_pool.cid + '/' + x.number_pool.afid,
      );
    expect(new Set(await ids('cid=222'))).toEqual(new Set(['222/0001']));
    expect((await ids('afid=0001')).every((s: string) => s.endsWith('/0001'))).toBe(true);
    expect((await ids('afid=0001')).length).toBeGreaterThan(0);
    expect(await ids('cid=111&afid=nobody')).toEqual([]);
    expect((await ids('cid=111')).every((s: string) => s.startsWith('111/'))).toBe(true);
  });

  it('lists as an XML array with dasherized names', async () => {
    const xml = await t.api('GET', '/number_pools.xml');
    expect(xml.text).toContain('<number-pools type="array">');
    expect(xml.text).toMatch(/<number-pool>\s*<id type="integer">/);
    expect(xml.text).toContain('<max-pool-size type="integer">');
    expect(xml.text).toMatch(
      /<google-analytics-paths type="array">\s*<google-analytics-path>\s*<name>Network timer \(always\)<\/name>/,
    );
  });

  it('deletes softly, then answers 410', async () => {
    const p = await create({ cid: '111' });
    expect((await t.api('DELETE', `/number_pools/${p.id}.json`)).status).toBe(200);
    expect((await t.api('GET', `/number_pools/${p.id}.json`)).status).toBe(410);
    expect((await t.api('GET', '/number_pools.json')).body.map((x: any) => x.number_pool.id)).not.toContain(
      p.id,
    );
  });

  it("hides another company's pools (404) and refuses its campaigns and affiliates", async () => {
    const other = await t.addTenant();
    await t.api('POST', '/campaigns.json', { campaign: { cid: 'theirs' } }, { key: other.key });
    await t.api('POST', '/affiliates.json', { affiliate: { afid: 'their-aff' } }, { key: other.key });
    const theirs = await t.api(
      'POST',
      '/number_pools.json',
      { number_pool: { cid: 'theirs', afid: 'their-aff' } },
      { key: other.key },
    );
    expect(theirs.status).toBe(201);
    const id = theirs.body.number_pool.id;
    expect((await t.api('GET', `/number_pools/${id}.json`)).status).toBe(404);
    expect(
      (await t.api('PUT', `/number_pools/${id}.json`, { number_pool: { max_pool_size: 2 } })).status,
    ).toBe(404);
    expect((await t.api('DELETE', `/number_pools/${id}.json`)).status).toBe(404);
    expectBadRequest(await t.api('POST', '/number_pools.json', { number_pool: { cid: 'theirs' } }), 'cid');
    expectBadRequest(
      await t.api('POST', '/number_pools.json', { number_pool: { cid: '111', afid: 'their-aff' } }),
      'afid',
    );
  });
});
