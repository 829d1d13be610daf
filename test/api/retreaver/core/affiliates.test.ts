import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('Affiliates', () => {
  it('creates an affiliate and returns every documented field', async () => {
    const res = await t.api('POST', '/affiliates.json', {
      affiliate: { first_name: 'Nancy', last_name: 'Drew', afid: '0002' },
    });
    expect(res.status).toBe(201);
    expect(res.body.affiliate).toMatchObject({
      afid: '0002',
      first_name: 'Nancy',
      last_name: 'Drew',
      company_name: null,
    });
    expect(new Date(res.body.affiliate.created_at).getTime()).toBe(t.clock.now());
    expect(res.body.affiliate.updated_at).toBe(res.body.affiliate.created_at);
  });

  it('gets by afid in JSON and XML', async () => {
    const json = await t.api('GET', '/affiliates/afid/0002.json');
    expect(json.body.affiliate.first_name).toBe('Nancy');
    const xml = await t.api('GET', '/affiliates/afid/0002.xml');
    expect(xml.headers['content-type']).toContain('text/xml');
    expect(xml.text).toContain('<afid>0002</afid>');
    expect(xml.text).toContain('<first-name>Nancy</first-name>');
    expect(xml.text).toMatch(/<created-at type="datetime">\d{4}-\d\d-\d\dT/);
  });

  it('lists as an XML array', async () => {
    const xml = await t.api('GET', '/affiliates.xml');
    expect(xml.text).toContain('<affiliates type="array">');
    expect(xml.text).toContain('<affiliate>');
  });

  it('updates only the attributes passed in', async () => {
    const res = await t.api('PUT', '/affiliates/afid/0002.json', { affiliate: { first_name: 'Nathan' } });
    expect(res.status).toBe(200);
    expect(res.body.affiliate).toMatchObject({ first_name: 'Nathan', last_name: 'Drew' });
  });

  it('rejects a duplicate afid and a missing afid', async () => {
    const dup = await t.api('POST', '/affiliates.json', { affiliate: { afid: '0002' } });
    expect(dup.status).toBe(400);
    expect(dup.body.errors.afid).toEqual(['has already been taken']);
    const missing = await t.api('POST', '/affiliates.json', { affiliate: { first_name: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.afid).toBeDefined();
  });

  it('deletes, then answers 410 Gone for the deleted afid', async () => {
    await t.api('POST', '/affiliates.json', { affiliate: { afid: 'gone1' } });
    expect((await t.api('DELETE', '/affiliates/afid/gone1.json')).status).toBe(200);
    const after = await t.api('GET', '/affiliates/afid/gone1.json');
    expect(after.status).toBe(410);
    expect(after.body.error).toBe('Gone');
  });
});
