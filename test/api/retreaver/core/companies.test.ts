import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const db = () => t.app.store.db;
const CLICK = 'http://callpixels.com/?a=[affiliate_id]&c=[campaign_id]&cp=js&s1=[sub_id]';
const SALE = 'https://callpixels.com/p.ashx?o=[campaign_id]&t=[call_log_id]';

async function createCompany(name: string, extra: Record<string, unknown> = {}) {
  const res = await t.api('POST', '/companies.json', { company: { name, ...extra } });
  expect(res.status).toBe(201);
  return res.body.company as { id: number; name: string };
}

async function userOf(key: string) {
  const { hashApiKey } = await import('../../../../src/services/accounts.js');
  return db()
    .selectFrom('users')
    .selectAll()
    .where('api_key_hash', '=', hashApiKey(key))
    .executeTakeFirstOrThrow();
}

describe('Companies: read', () => {
  it('GET /company answers the active company with every documented field', async () => {
    const row = await db()
      .selectFrom('companies')
      .selectAll()
      .where('id', '=', t.companyId)
      .executeTakeFirstOrThrow();
    const res = await t.api('GET', '/company.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      company: {
        id: t.companyId,
        name: row.name,
        default_click_url: null,
        default_sale_url: null,
        time_zone: 'UTC',
        created_at: new Date(row.created_at).toISOString(),
        updated_at: new Date(row.updated_at).toISOString(),
      },
    });
  });

  it('GET /company follows company_id when given', async () => {
    const other = await createCompany('Second Co');
    const res = await t.api('GET', '/company.json', undefined, { companyId: other.id });
    expect(res.body.company.id).toBe(other.id);
    expect(res.body.company.name).toBe('Second Co');
  });

  it('GET /company in XML uses dasherized elements and typed values', async () => {
    await t.api('PUT', `/companies/${t.companyId}.json`, { company: { default_click_url: CLICK } });
    const xml = await t.api('GET', '/company.xml');
    expect(xml.headers['content-type']).toContain('text/xml');
    expect(xml.text).toContain(`<id type="integer">${t.companyId}</id>`);
    expect(xml.text).toContain(
      '<default-click-url>http://callpixels.com/?a=[affiliate_id]&amp;c=[campaign_id]&amp;cp=js&amp;s1=[sub_id]</default-click-url>',
    );
    expect(xml.text).toContain('<default-sale-url nil="true"');
    expect(xml.text).toMatch(/<created-at type="datetime">\d{4}-\d\d-\d\dT/);
  });

  it('GET /companies lists only the companies the key reaches, in JSON and XML', async () => {
    const other = await t.addTenant();
    const mine = await db()
      .selectFrom('memberships')
      .select('company_id')
      .where('company_id', '!=', other.companyId)
      .execute();
    const res = await t.api('GET', '/companies.json');
    expect(res.status).toBe(200);
    const ids = res.body.map((c: any) => c.company.id);
    expect(ids).toEqual(mine.map((m) => m.company_id).sort((a, b) => a - b));
    expect(ids).not.toContain(other.companyId);
    const theirs = await t.api('GET', '/companies.json', undefined, { key: other.key });
    expect(theirs.body.map((c: any) => c.company.id)).toEqual([other.companyId]);
    const xml = await t.api('GET', '/companies.xml');
    expect(xml.text).toContain('<companies type="array">');
    expect(xml.text).toContain('<company>');
  });

  it("GET /companies/:id answers 404 for another key's company and for unknown ids", async () => {
    const other = await t.addTenant();
    expect((await t.api('GET', `/companies/${other.companyId}.json`)).status).toBe(404);
    expect((await t.api('PUT', `/companies/${other.companyId}.json`, { name: 'x' })).status).toBe(404);
    expect((await t.api('DELETE', `/companies/${other.companyId}.json`)).status).toBe(404);
    const unknown = await t.api('GET', '/companies/999999.json');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ status: 404, error: 'Not Found' });
    const row = await db()
      .selectFrom('companies')
      .select('name')
      .where('id', '=', other.companyId)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe('Other Co');
  });

  it('company_id the key cannot reach is 403 (the plugin rule)', async () => {
    const other = await t.addTenant();
    expect((await t.api('GET', '/company.json', undefined, { companyId: other.companyId })).status).toBe(403);
  });

  it('paginates with a Link header past 25 companies', async () => {
    const before = (await t.api('GET', '/companies.json')).headers['x-total-count'];
    const { key } = await t.addTenant();
    for (let i = 0; i < 26; i++) {
      const r = await t.api('POST', '/companies.json', { company: { name: `Bulk ${i}` } }, { key });
      expect(r.status).toBe(201);
    }
    const page1 = await t.api('GET', '/companies.json', undefined, { key });
    expect(page1.body).toHaveLength(25);
    expect(page1.headers['x-total-count']).toBe('27');
    expect(String(page1.headers.link)).toContain('rel="next"');
    expect(String(page1.headers.link)).toMatch(/page=2[^>]*>; rel="last"/);
    const page2 = await t.api('GET', '/companies.json?page=2', undefined, { key });
    expect(page2.body).toHaveLength(2);
    expect((await t.api('GET', '/companies.json')).headers['x-total-count']).toBe(before);
  });
});

describe('Companies: write', () => {
  it('POST creates a company, answers 201 and grants the calling user access', async () => {
    await t.clock.advance(60_000);
    const res = await t.api('POST', '/companies.json', {
      company: { name: ' CallPixels.com ', default_click_url: CLICK, default_sale_url: SALE },
    });
    expect(res.status).toBe(201);
    const c = res.body.company;
    expect(c).toMatchObject({ name: 'CallPixels.com', default_click_url: CLICK, default_sale_url: SALE });
    expect(c.created_at).toBe(new Date(t.clock.now()).toISOString());
    expect(c.updated_at).toBe(c.created_at);
    const user = await userOf(t.key);
    const membership = await db()
      .selectFrom('memberships')
      .selectAll()
      .where('company_id', '=', c.id)
      .execute();
    expect(membership).toEqual([{ user_id: user.id, company_id: c.id }]);
    expect((await t.api('GET', `/companies/${c.id}.json`)).body.company.id).toBe(c.id);
    // The new company is reachable as company_id right away.
    expect((await t.api('GET', '/company.json', undefined, { companyId: c.id })).body.company.id).toBe(c.id);
  });

  it('POST makes the new company active for a key that has no active company', async () => {
    const { key, companyId } = await t.addTenant();
    const user = await userOf(key);
    await db().updateTable('users').set({ active_company_id: null }).where('id', '=', user.id).execute();
    const created = (await t.api('POST', '/companies.json', { name: 'Adopted' }, { key })).body.company;
    expect((await userOf(key)).active_company_id).toBe(created.id);
    const again = (await t.api('POST', '/companies.json', { name: 'Not adopted' }, { key })).body.company;
    expect((await userOf(key)).active_company_id).toBe(created.id);
    expect([companyId, created.id]).not.toContain(again.id);
  });

  it('POST accepts a bare body and an XML body', async () => {
    const bare = await t.api('POST', '/companies.json', { name: 'Bare Co' });
    expect(bare.status).toBe(201);
    expect(bare.body.company.name).toBe('Bare Co');
    const xml = await t.api('POST', '/companies.xml', undefined, {
      rawBody:
        '<?xml version="1.0"?><company><name>Xml Co</name><default-sale-url>https://x.example/s</default-sale-url></company>',
      headers: { 'content-type': 'text/xml' },
    });
    expect(xml.status).toBe(201);
    expect(xml.text).toContain('<name>Xml Co</name>');
    expect(xml.text).toContain('<default-sale-url>https://x.example/s</default-sale-url>');
  });

  it('refuses bad input with 400 and writes nothing', async () => {
    const count = async () => (await db().selectFrom('companies').select('id').execute()).length;
    const before = await count();
    const cases: [unknown, string][] = [
      [{ company: { default_click_url: CLICK } }, 'name'],
      [{ company: { name: '   ' } }, 'name'],
      [{ company: { name: { first: 'x' } } }, 'name'],
      [{ company: { name: 'x', default_click_url: ['http://a.example'] } }, 'default_click_url'],
      [{ company: { name: 'x', default_click_url: 'ftp://files.example/x' } }, 'default_click_url'],
      [{ company: { name: 'x', default_sale_url: 'not a url' } }, 'default_sale_url'],
      [{ company: { name: 'x', colour: 'blue' } }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api('POST', '/companies.json', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.status).toBe(400);
      expect(typeof res.body.error).toBe('string');
      expect(Object.keys(res.body.errors)).toContain(field);
    }
    expect(await count()).toBe(before);
  });

  it('PUT changes only the attributes passed in; blank URLs become null', async () => {
    const c = await createCompany('Before', { default_click_url: CLICK, default_sale_url: SALE });
    await t.clock.advance(5_000);
    const res = await t.api('PUT', `/companies/${c.id}.json`, { company: { name: 'Retreaver' } });
    expect(res.status).toBe(200);
    expect(res.body.company).toMatchObject({
      id: c.id,
      name: 'Retreaver',
      default_click_url: CLICK,
      default_sale_url: SALE,
    });
    expect(res.body.company.updated_at).toBe(new Date(t.clock.now()).toISOString());
    expect(res.body.company.created_at).not.toBe(res.body.company.updated_at);
    const cleared = await t.api('PUT', `/companies/${c.id}.json`, {
      default_click_url: '',
      default_sale_url: null,
    });
    expect(cleared.body.company).toMatchObject({
      name: 'Retreaver',
      default_click_url: null,
      default_sale_url: null,
    });
    const bad = await t.api('PUT', `/companies/${c.id}.json`, {
      company: { name: '', default_click_url: CLICK },
    });
    expect(bad.status).toBe(400);
    const row = await db()
      .selectFrom('companies')
      .selectAll()
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe('Retreaver');
    expect(row.default_click_url).toBeNull();
  });

  it('PUT accepts the read-only fields of a GET echoed back', async () => {
    const c = await createCompany('Echo');
    const got = (await t.api('GET', `/companies/${c.id}.json`)).body;
    got.company.name = 'Echoed';
    const res = await t.api('PUT', `/companies/${c.id}.json`, got);
    expect(res.status).toBe(200);
    expect(res.body.company.name).toBe('Echoed');
  });
});

describe('Companies: delete', () => {
  const now = () => t.clock.now();

  it('is refused while the company has live numbers, then allowed once they are deleted', async () => {
    const c = await createCompany('Has Numbers');
    const num = await db()
      .insertInto('numbers')
      .values({
        company_id: c.id,
        number: '+18665550101',
        toll_free: 1,
        country: 'US',
        campaign_id: 1,
        created_at: now(),
        updated_at: now(),
      } as any)
      .returning('id')
      .executeTakeFirstOrThrow();
    const res = await t.api('DELETE', `/companies/${c.id}.json`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/Numbers/);
    expect(
      (
        await db()
          .selectFrom('companies')
          .select('deleted_at')
          .where('id', '=', c.id)
          .executeTakeFirstOrThrow()
      ).deleted_at,
    ).toBeNull();
    await db().updateTable('numbers').set({ deleted_at: now() }).where('id', '=', num.id).execute();
    expect((await t.api('DELETE', `/companies/${c.id}.json`)).status).toBe(200);
  });

  it('is refused while the company has live number pools', async () => {
    const c = await createCompany('Has Pools');
    await db()
      .insertInto('number_pools')
      .values({
        company_id: c.id,
        campaign_id: 1,
        type: 'Local',
        country: 'US',
        max_pool_size: 5,
        buffer_seconds: 60,
        hide_embedded_access: 0,
        google_analytics: 0,
        ga_always_path: '',
        ga_connect_path: '',
        reserve_size: 0,
        created_at: now(),
        updated_at: now(),
        deleted_at: null,
      } as any)
      .execute();
    const res = await t.api('DELETE', `/companies/${c.id}.json`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/Number Pools/);
  });

  it('soft-deletes: answers the company, then 410 Gone, and drops it from /companies', async () => {
    const c = await createCompany('Doomed');
    await t.clock.advance(1_000);
    const res = await t.api('DELETE', `/companies/${c.id}.json`);
    expect(res.status).toBe(200);
    expect(res.body.company).toMatchObject({ id: c.id, name: 'Doomed' });
    const row = await db()
      .selectFrom('companies')
      .select('deleted_at')
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).toBe(t.clock.now());
    const after = await t.api('GET', `/companies/${c.id}.json`);
    expect(after.status).toBe(410);
    expect(after.body).toEqual({ status: 410, error: 'Gone' });
    expect((await t.api('PUT', `/companies/${c.id}.json`, { name: 'x' })).status).toBe(410);
    expect((await t.api('DELETE', `/companies/${c.id}.json`)).status).toBe(410);
    const list = await t.api('GET', '/companies.json');
    expect(list.body.map((x: any) => x.company.id)).not.toContain(c.id);
  });

  it("moves the user's active company to their oldest remaining one", async () => {
    const { key, companyId: first } = await t.addTenant();
    const second = (await t.api('POST', '/companies.json', { name: 'Second' }, { key })).body.company.id;
    const user = await userOf(key);
    await db().updateTable('users').set({ active_company_id: second }).where('id', '=', user.id).execute();
    expect((await t.api('GET', '/company.json', undefined, { key })).body.company.id).toBe(second);
    expect((await t.api('DELETE', `/companies/${second}.json`, undefined, { key })).status).toBe(200);
    expect((await userOf(key)).active_company_id).toBe(first);
    expect((await t.api('GET', '/company.json', undefined, { key })).body.company.id).toBe(first);
  });

  it('refuses to delete the only company a key reaches (it would lock the key out)', async () => {
    const { key, companyId } = await t.addTenant();
    const res = await t.api('DELETE', `/companies/${companyId}.json`, undefined, { key });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/only one/);
    expect((await t.api('GET', '/company.json', undefined, { key })).status).toBe(200);
  });
});
