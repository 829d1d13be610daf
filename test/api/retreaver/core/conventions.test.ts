import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('Authentication', () => {
  it('401 without an api_key', async () => {
    const res = await t.api('GET', '/affiliates.json', undefined, { key: null });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401 });
    expect(res.body.error).toMatch(/Unauthorized/);
  });

  it('401 with a wrong api_key', async () => {
    expect((await t.api('GET', '/affiliates.json', undefined, { key: 'nope' })).status).toBe(401);
  });

  it('accepts the key as a Bearer token too', async () => {
    const res = await t.api('GET', '/affiliates.json', undefined, {
      key: null,
      headers: { authorization: `Bearer ${t.key}` },
    });
    expect(res.status).toBe(200);
  });

  it('403 for a company_id the key cannot reach, 200 for its own', async () => {
    const other = await t.addTenant();
    expect((await t.api('GET', '/affiliates.json', undefined, { companyId: other.companyId })).status).toBe(
      403,
    );
    expect((await t.api('GET', '/affiliates.json', undefined, { companyId: t.companyId })).status).toBe(200);
    expect((await t.api('GET', '/affiliates.json?company_id=abc')).status).toBe(403);
  });
});

describe('Tenancy', () => {
  it('never shows or changes another company’s objects', async () => {
    const other = await t.addTenant();
    await t.api('POST', '/affiliates.json', { affiliate: { afid: 'mine' } });
    const theirs = await t.api(
      'POST',
      '/affiliates.json',
      { affiliate: { afid: 'theirs' } },
      { key: other.key },
    );
    expect(theirs.status).toBe(201);
    const id = theirs.body.affiliate.id;
    expect((await t.api('GET', '/affiliates/afid/theirs.json')).status).toBe(404);
    expect((await t.api('GET', `/affiliates/${id}.json`)).status).toBe(404);
    expect((await t.api('PUT', `/affiliates/${id}.json`, { affiliate: { first_name: 'x' } })).status).toBe(
      404,
    );
    expect((await t.api('DELETE', `/affiliates/${id}.json`)).status).toBe(404);
    const list = await t.api('GET', '/affiliates.json', undefined, { key: other.key });
    expect(list.body.map((a: any) => a.affiliate.afid)).toEqual(['theirs']);
    // the same afid may exist in both companies: collisions are per company
    expect(
      (await t.api('POST', '/affiliates.json', { affiliate: { afid: 'mine' } }, { key: other.key })).status,
    ).toBe(201);
  });
});

describe('Formats', () => {
  it('picks XML by Accept header when there is no extension', async () => {
    const res = await t.api('GET', '/affiliates', undefined, { headers: { accept: 'text/xml' } });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<affiliates type="array"');
  });

  it('406 for a format that is neither JSON nor XML', async () => {
    expect((await t.api('GET', '/affiliates.csv')).status).toBe(406);
    expect((await t.api('GET', '/affiliates', undefined, { headers: { accept: 'text/csv' } })).status).toBe(
      406,
    );
  });

  it('accepts XML request bodies', async () => {
    const xml =
      '<?xml version="1.0"?><affiliate><afid>x100</afid><first-name>Ann</first-name><company-name nil="true"/></affiliate>';
    const res = await t.api('POST', '/affiliates.xml', undefined, {
      rawBody: xml,
      headers: { 'content-type': 'text/xml' },
    });
    expect(res.status).toBe(201);
    expect(res.text).toContain('<first-name>Ann</first-name>');
    expect(res.text).toContain('<company-name nil="true"');
  });

  it('accepts bare (unwrapped) JSON bodies and Rails form bodies', async () => {
    expect((await t.api('POST', '/affiliates.json', { afid: 'bare1' })).status).toBe(201);
    const form = await t.api('POST', '/affiliates.json', undefined, {
      rawBody: 'affiliate[afid]=form1&affiliate[last_name]=Drew',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(201);
    expect(form.body.affiliate).toMatchObject({ afid: 'form1', last_name: 'Drew' });
  });

  it('answers errors in XML for XML requests', async () => {
    const res = await t.api('GET', '/affiliates/afid/none.xml');
    expect(res.status).toBe(404);
    expect(res.text).toContain('<status type="integer">404</status>');
  });
});

describe('Bad input never gives a 500', () => {
  const json = { 'content-type': 'application/json' };
  it.each([
    ['malformed JSON', '{"affiliate": {"afid": ', json],
    ['malformed XML', '<affiliate><afid>1</afid>', { 'content-type': 'text/xml' }],
    ['a JSON array', '[1,2]', json],
    ['a JSON string', '"afid"', json],
    ['wrong type', '{"affiliate": {"afid": {"a": 1}}}', json],
    ['unknown field', '{"affiliate": {"afid": "u1", "shoe_size": 9}}', json],
    ['wrapper that is not an object', '{"affiliate": 5}', json],
  ])('%s → 400 with nothing written', async (_name, rawBody, headers) => {
    const before = await t.app.store.db.selectFrom('affiliates').select('id').execute();
    const res = await t.api('POST', '/affiliates.json', undefined, { rawBody, headers });
    expect(res.status).toBe(400);
    expect(res.body.status).toBe(400);
    expect(typeof res.body.error).toBe('string');
    const after = await t.app.store.db.selectFrom('affiliates').select('id').execute();
    expect(after.length).toBe(before.length);
  });

  it('names the unknown field', async () => {
    const res = await t.api('POST', '/affiliates.json', { affiliate: { afid: 'u2', shoe_size: 9 } });
    expect(res.body.errors).toEqual({ shoe_size: ['is not a known attribute'] });
  });

  it('413 for a body over the limit', async () => {
    const small = await createTestApp({ BODY_LIMIT_BYTES: '1024' });
    try {
      const res = await small.api('POST', '/affiliates.json', {
        affiliate: { afid: 'big', first_name: 'x'.repeat(5000) },
      });
      expect(res.status).toBe(413);
      expect(res.body.error).toMatch(/too large/);
    } finally {
      await small.close();
    }
  });

  it('400 for a bad page parameter', async () => {
    expect((await t.api('GET', '/affiliates.json?page=0')).status).toBe(400);
    expect((await t.api('GET', '/affiliates.json?page=abc')).status).toBe(400);
  });
});

describe('Routing errors', () => {
  it('404 for an unknown path', async () => {
    const res = await t.api('GET', '/nothing_here.json');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('Not Found');
  });

  it('405 for a known path with an unsupported verb', async () => {
    const res = await t.api('PATCH', '/affiliates.json', {});
    expect(res.status).toBe(405);
    expect(String(res.headers.allow)).toContain('GET');
  });
});

describe('Pagination', () => {
  it('25 per page with a Link header holding first/prev/next/last', async () => {
    const p = await createTestApp();
    try {
      for (let i = 0; i < 60; i++) await p.api('POST', '/affiliates.json', { affiliate: { afid: `p${i}` } });
      const first = await p.api('GET', '/affiliates.json');
      expect(first.body).toHaveLength(25);
      const link = String(first.headers.link);
      expect(link).toMatch(/page=1[^>]*>; rel="first"/);
      expect(link).toMatch(/page=2[^>]*>; rel="next"/);
      expect(link).toMatch(/page=3[^>]*>; rel="last"/);
      expect(link).not.toContain('rel="prev"');
      expect(link).toContain('/affiliates.json?');
      const third = await p.api('GET', '/affiliates.json?page=3');
      expect(third.body).toHaveLength(10);
      expect(String(third.headers.link)).toMatch(/page=2[^>]*>; rel="prev"/);
      expect(String(third.headers.link)).not.toContain('rel="next"');
      const all = [...first.body, ...(await p.api('GET', '/affiliates.json?page=2')).body, ...third.body];
      expect(new Set(all.map((a: any) => a.affiliate.afid)).size).toBe(60);
    } finally {
      await p.close();
    }
  });
});

describe('Rate limit and maintenance', () => {
  it('429 once a key passes its per-minute limit, and again after the window', async () => {
    const r = await createTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      r.clock.set(Date.UTC(2025, 0, 1, 0, 0, 0));
      for (let i = 0; i < 3; i++) expect((await r.api('GET', '/affiliates.json')).status).toBe(200);
      const limited = await r.api('GET', '/affiliates.json');
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('60');
      await r.clock.advance(60_000);
      expect((await r.api('GET', '/affiliates.json')).status).toBe(200);
    } finally {
      await r.close();
    }
  });

  it('503 in maintenance mode', async () => {
    const m = await createTestApp({ SWITCHBOARD_MAINTENANCE: '1' });
    try {
      const res = await m.api('GET', '/affiliates.json');
      expect(res.status).toBe(503);
      expect(res.body.error).toMatch(/maintenance/);
    } finally {
      await m.close();
    }
  });
});

describe('Service endpoints', () => {
  it('serves /healthz and the OpenAPI document', async () => {
    expect((await t.api('GET', '/healthz', undefined, { key: null })).body).toEqual({ status: 'ok' });
    const doc = await t.api('GET', '/openapi.json', undefined, { key: null });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toContain('/affiliates.json');
    const ui = await t.app.http.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });
});

describe('Nullable fields', () => {
  it('keep null as null and an empty string as given, in JSON', async () => {
    const res = await t.api('POST', '/affiliates.json', {
      affiliate: { afid: 'n1', first_name: '', last_name: null },
    });
    expect(res.body.affiliate).toMatchObject({ first_name: '', last_name: null });
  });
});

describe('Empty and hostile JSON bodies', () => {
  it('reads an empty application/json body as no body (the seed posts reset_cap that way)', async () => {
    const res = await t.api('POST', '/affiliates.json', undefined, {
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual({ afid: ["can't be blank"] });
  });

  it('refuses __proto__ keys', async () => {
    const res = await t.api('POST', '/affiliates.json', undefined, {
      rawBody: '{"affiliate": {"afid": "p1", "__proto__": {"admin": true}}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
  });
});
