import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const db = () => t.app.store.db;
const iso = () => new Date(t.clock.now()).toISOString();

/** Campaigns are another resource; a row with the columns we read is enough here. */
async function insertCampaign(companyId: number, cid: string, deleted = false) {
  const now = t.clock.now();
  const row = await db()
    .insertInto('campaigns')
    .values({
      company_id: companyId,
      cid,
      name: cid,
      record_calls: 0,
      record_seconds: 0,
      dedupe_seconds: 0,
      affiliate_can_pull_number: 0,
      show_key: 'k',
      greeting_message: null,
      greeting_voice_gender: 'female',
      greeting_audio_id: null,
      repeat: 0,
      created_at: now,
      updated_at: now,
      deleted_at: deleted ? now : null,
    } as any)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const rows = () => db().selectFrom('suppressed_numbers').selectAll().orderBy('id').execute();

describe('Suppressed Numbers: check', () => {
  it('answers false, then true once a number is suppressed (new and deprecated routes)', async () => {
    const tenant = await t.addTenant();
    const opts = { key: tenant.key };
    expect((await t.api('GET', '/suppressed_numbers/check.json', undefined, opts)).body).toEqual({
      suppressed_numbers_exist: false,
    });
    expect((await t.api('GET', '/suppression_list/check.json', undefined, opts)).body).toEqual({
      suppression_list: false,
    });
    expect((await t.api('POST', '/suppressed_numbers/+13216065590.json', undefined, opts)).status).toBe(201);
    expect((await t.api('GET', '/suppressed_numbers/check.json', undefined, opts)).body).toEqual({
      suppressed_numbers_exist: true,
    });
    expect((await t.api('GET', '/suppression_list/check.json', undefined, opts)).body).toEqual({
      suppression_list: true,
    });
    const xml = await t.api('GET', '/suppressed_numbers/check.xml', undefined, opts);
    expect(xml.text).toContain('<suppressed-numbers-exist type="boolean">true</suppressed-numbers-exist>');
  });
});

describe('Suppressed Numbers: create', () => {
  it('POST with no body suppresses the number; can_resubscribe defaults to true; answers the bare record', async () => {
    await t.clock.advance(1_000);
    const res = await t.api('POST', '/suppressed_numbers/+13216065591.json');
    expect(res.status).toBe(201);
    const [row] = (await rows()).filter((r) => r.number === '+13216065591');
    expect(res.body).toEqual({
      id: row.id,
      company_id: t.companyId,
      affiliate_id: null,
      campaign_id: null,
      number: '+13216065591',
      created_at: iso(),
      updated_at: iso(),
      can_resubscribe: true,
    });
    expect(row.can_resubscribe).toBe(1);
  });

  it("POST with the seed's wrapped body sets can_resubscribe false; the number is normalized", async () => {
    const res = await t.api('POST', '/suppressed_numbers/13216065592.json', {
      suppressed_number: { can_resubscribe: false },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ number: '+13216065592', can_resubscribe: false });
  });

  it('POST on an already suppressed number applies the attributes and answers 200 with the same id', async () => {
    const first = await t.api('POST', '/suppressed_numbers/+13216065593.json', { can_resubscribe: false });
    await t.clock.advance(1_000);
    const again = await t.api('POST', '/suppressed_numbers/%2B13216065593.json', {
      suppressed_number: { can_resubscribe: true },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      id: first.body.id,
      can_resubscribe: true,
      created_at: first.body.created_at,
      updated_at: iso(),
    });
    expect((await rows()).filter((r) => r.number === '+13216065593')).toHaveLength(1);
  });

  it('POST with a campaign cid links the campaign; the list shows its cid', async () => {
    await insertCampaign(t.companyId, '116dc0f6');
    const res = await t.api('POST', '/suppressed_numbers/+13216065594.json', {
      suppressed_number: { campaign_id: '116dc0f6' },
    });
    expect(res.body.campaign_id).toBe('116dc0f6');
    const got = await t.api('GET', '/suppressed_numbers/+13216065594.json');
    expect(got.body.suppressed_number.cid).toBe('116dc0f6');
  });

  it('refuses bad numbers, wrong types, unknown fields and unknown cids with 400; writes nothing', async () => {
    const before = await rows();
    const cases: [string, unknown, string][] = [
      ['/suppressed_numbers/not-a-number.json', undefined, 'number'],
      ['/suppressed_numbers/123.json', undefined, 'number'],
      ['/suppressed_numbers/+13216065595.json', { can_resubscribe: 'perhaps' }, 'can_resubscribe'],
      ['/suppressed_numbers/+13216065595.json', { colour: 'red' }, 'colour'],
      ['/suppressed_numbers/+13216065595.json', { campaign_id: 'nope' }, 'campaign_id'],
      ['/suppressed_numbers/+13216065595.json', { campaign_id: { cid: 'x' } }, 'campaign_id'],
    ];
    for (const [url, body, field] of cases) {
      const res = await t.api('POST', url, body);
      expect(res.status, url + JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.body.errors), JSON.stringify(res.body)).toContain(field);
    }
    expect(await rows()).toEqual(before);
  });

  it('accepts Content-Type: application/json with an empty body, but not malformed JSON', async () => {
    const json = { 'content-type': 'application/json' };
    const empty = await t.api('POST', '/suppressed_numbers/+13216065597.json', undefined, {
      headers: json,
      rawBody: '',
    });
    expect(empty.status, empty.text).toBe(201);
    expect(empty.body.can_resubscribe).toBe(true);
    const legacy = await t.api('POST', '/contact_numbers/+13216065598/suppressed_number.json', undefined, {
      headers: json,
      rawBody: '',
    });
    expect(legacy.status, legacy.text).toBe(201);
    const before = await rows();
    for (const rawBody of ['{"can_resubscribe":', '{"__proto__":{"x":1}}']) {
      const bad = await t.api('POST', '/suppressed_numbers/+13216065599.json', undefined, {
        headers: json,
        rawBody,
      });
      expect(bad.status, rawBody).toBe(400);
      expect(bad.body.status).toBe(400);
    }
    expect(await rows()).toEqual(before);
  });

  it('accepts an XML body', async () => {
    const res = await t.api('POST', '/suppressed_numbers/+13216065596.xml', undefined, {
      headers: { 'content-type': 'text/xml' },
      rawBody:
        '<suppressed-number><can-resubscribe type="boolean">false</can-resubscribe></suppressed-number>',
    });
    expect(res.status).toBe(201);
    expect(res.text).toContain('<suppressed-number>');
    expect(res.text).toContain('<can-resubscribe type="boolean">false</can-resubscribe>');
    expect(res.text).toContain('<affiliate-id nil="true"');
  });
});

describe('Suppressed Numbers: read, update, delete', () => {
  it('GET by number answers the documented fields; cid omitted without a campaign', async () => {
    const created = (await t.api('POST', '/suppressed_numbers/+13216065600.json', { can_resubscribe: false }))
      .body;
    const res = await t.api('GET', '/suppressed_numbers/+13216065600.json');
    expect(res.body).toEqual({
      suppressed_number: {
        id: created.id,
        number: '+13216065600',
        created_at: created.created_at,
        can_resubscribe: false,
        company_id: t.companyId,
      },
    });
    expect((await t.api('GET', '/suppressed_numbers/13216065600.json')).body.suppressed_number.id).toBe(
      created.id,
    );
    expect((await t.api('GET', '/suppressed_numbers/+13216069999.json')).status).toBe(404);
    expect((await t.api('GET', '/suppressed_numbers/junk.json')).status).toBe(404);
  });

  it('PUT takes the bare body of the seed, resolves the cid, and can clear it', async () => {
    await insertCampaign(t.companyId, 'c-put');
    await t.api('POST', '/suppressed_numbers/+13216065601.json');
    const res = await t.api('PUT', '/suppressed_numbers/+13216065601.json', {
      can_resubscribe: false,
      campaign_id: 'c-put',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      number: '+13216065601',
      can_resubscribe: false,
      campaign_id: 'c-put',
    });
    const cleared = await t.api('PUT', '/suppressed_numbers/+13216065601.json', {
      suppressed_number: { campaign_id: null },
    });
    expect(cleared.body).toMatchObject({ can_resubscribe: false, campaign_id: null });
  });

  it("PUT refuses an unknown, deleted or other company's cid and answers 404 for numbers not suppressed", async () => {
    await t.api('POST', '/suppressed_numbers/+13216065602.json');
    const other = await t.addTenant();
    await insertCampaign(other.companyId, 'theirs');
    await insertCampaign(t.companyId, 'gone', true);
    for (const cid of ['missing', 'theirs', 'gone']) {
      const res = await t.api('PUT', '/suppressed_numbers/+13216065602.json', { campaign_id: cid });
      expect(res.status, cid).toBe(400);
      expect(res.body.errors.campaign_id).toBeDefined();
    }
    expect(
      (await t.api('PUT', '/suppressed_numbers/+13216069998.json', { can_resubscribe: false })).status,
    ).toBe(404);
    const row = (await rows()).find((r) => r.number === '+13216065602')!;
    expect(row.campaign_id).toBeNull();
  });

  it('DELETE removes the number from the list and answers it as it was', async () => {
    const created = (await t.api('POST', '/suppressed_numbers/+13216065603.json')).body;
    const res = await t.api('DELETE', '/suppressed_numbers/+13216065603.json');
    expect(res.status).toBe(200);
    expect(res.body.suppressed_number).toMatchObject({ id: created.id, number: '+13216065603' });
    expect((await t.api('GET', '/suppressed_numbers/+13216065603.json')).status).toBe(404);
    expect((await t.api('DELETE', '/suppressed_numbers/+13216065603.json')).status).toBe(404);
  });

  it("lists in JSON and XML; another company's numbers are invisible", async () => {
    const other = await t.addTenant();
    await t.api('POST', '/suppressed_numbers/+13216065604.json', undefined, { key: other.key });
    const mine = await t.api('GET', '/suppressed_numbers.json');
    expect(mine.body.map((s: any) => s.suppressed_number.number)).not.toContain('+13216065604');
    expect(mine.body.every((s: any) => s.suppressed_number.company_id === t.companyId)).toBe(true);
    const theirs = await t.api('GET', '/suppressed_numbers.json', undefined, { key: other.key });
    expect(theirs.body).toEqual([
      {
        suppressed_number: expect.objectContaining({
          number: '+13216065604',
          company_id: other.companyId,
          can_resubscribe: true,
        }),
      },
    ]);
    expect((await t.api('GET', '/suppressed_numbers/+13216065604.json')).status).toBe(404);
    expect((await t.api('DELETE', '/suppressed_numbers/+13216065604.json')).status).toBe(404);
    expect(
      (await t.api('PUT', '/suppressed_numbers/+13216065604.json', { can_resubscribe: false })).status,
    ).toBe(404);
    const xml = await t.api('GET', '/suppressed_numbers.xml');
    expect(xml.text).toContain('<suppressed-numbers type="array">');
    expect(xml.text).toContain('<can-resubscribe type="boolean">');
  });

  it('paginates past 25 with a Link header', async () => {
    const { key } = await t.addTenant();
    for (let i = 0; i < 26; i++) {
      expect(
        (await t.api('POST', `/suppressed_numbers/+1415555${String(1000 + i)}.json`, undefined, { key }))
          .status,
      ).toBe(201);
    }
    const page1 = await t.api('GET', '/suppressed_numbers.json', undefined, { key });
    expect(page1.body).toHaveLength(25);
    expect(page1.headers['x-total-count']).toBe('26');
    expect(String(page1.headers.link)).toMatch(/page=2[^>]*>; rel="next"/);
    expect((await t.api('GET', '/suppressed_numbers.json?page=2', undefined, { key })).body).toHaveLength(1);
  });
});

describe('Suppressed Numbers: deprecated contact_numbers routes', () => {
  it('POST suppresses with the legacy shape; DELETE unsuppresses', async () => {
    const res = await t.api('POST', '/contact_numbers/+18668987878/suppressed_number.json', {
      suppressed_number: { can_resubscribe: false },
    });
    expect(res.status).toBe(201);
    const row = (await rows()).find((r) => r.number === '+18668987878')!;
    expect(res.body).toEqual({
      suppressed_number: { id: row.id, number: '+18668987878', can_resubscribe: false, created_at: iso() },
    });
    const again = await t.api('POST', '/contact_numbers/18668987878/suppressed_number.json');
    expect(again.status).toBe(200);
    expect(again.body.suppressed_number.id).toBe(row.id);
    const del = await t.api('DELETE', '/contact_numbers/+18668987878/suppressed_number.json');
    expect(del.status).toBe(200);
    expect(del.body.suppressed_number).toMatchObject({ id: row.id, number: '+18668987878' });
    expect((await t.api('DELETE', '/contact_numbers/+18668987878/suppressed_number.json')).status).toBe(404);
    expect((await t.api('GET', '/suppressed_numbers/+18668987878.json')).status).toBe(404);
  });

  it('legacy POST defaults can_resubscribe to true and refuses bad numbers', async () => {
    const res = await t.api('POST', '/contact_numbers/+18668987879/suppressed_number.json');
    expect(res.body.suppressed_number.can_resubscribe).toBe(true);
    expect((await t.api('POST', '/contact_numbers/abc/suppressed_number.json')).status).toBe(400);
  });
});
