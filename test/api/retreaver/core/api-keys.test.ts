import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../../src/services/accounts.js';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

async function makeKey(body: Record<string, unknown>, key?: string) {
  const res = await t.api('POST', '/api_keys.json', { api_key: body }, { key });
  expect(res.status, res.text).toBe(201);
  return res.body.api_key as { id: number; key: string; role: string; name: string; key_prefix: string };
}

describe('POST /api_keys', () => {
  it('an admin creates a key: the secret is shown once, stored hashed', async () => {
    const res = await t.api('POST', '/api_keys.json', { api_key: { name: 'reporting', role: 'read_only' } });
    expect(res.status).toBe(201);
    const k = res.body.api_key;
    expect(k).toEqual({
      id: expect.any(Number),
      name: 'reporting',
      role: 'read_only',
      key: expect.stringMatching(/^[0-9a-f]{48}$/),
      key_prefix: k.key.slice(0, 8),
      last_used_at: null,
      created_at: expect.any(String),
      revoked_at: null,
    });
    const row = await t.app.store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', k.id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashApiKey(k.key));
    expect(JSON.stringify(row)).not.toContain(k.key);
    const again = await t.api('GET', `/api_keys/${k.id}.json`);
    expect(again.body.api_key.key).toBeUndefined();
  });

  it('role defaults to read_only; a blank name or an unknown role is a 400', async () => {
    expect((await makeKey({ name: 'default' })).role).toBe('read_only');
    const blank = await t.api('POST', '/api_keys.json', { api_key: { name: ' ', role: 'owner' } });
    expect(blank.status).toBe(400);
    expect(blank.body.errors).toEqual({
      name: ["can't be blank"],
      role: ['must be one of: admin, read_only'],
    });
  });

  it('answers XML too', async () => {
    const res = await t.api('POST', '/api_keys.xml', { api_key: { name: 'xml', role: 'admin' } });
    expect(res.status).toBe(201);
    expect(res.text).toContain('<api-key>');
    expect(res.text).toContain('<role>admin</role>');
  });
});

describe('GET /api_keys', () => {
  it('lists the company’s keys without their secrets, paged', async () => {
    const res = await t.api('GET', '/api_keys.json');
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThan(0);
    for (const item of res.body) expect(item.api_key.key).toBeUndefined();
    expect(res.headers.link).toContain('rel="first"');
    expect(res.headers['x-total-count']).toBe(String(res.body.length));
  });
});

describe('last_used_at', () => {
  it('is set when the key is used, at most once a minute', async () => {
    const k = await makeKey({ name: 'used', role: 'read_only' });
    const first = t.clock.now();
    expect((await t.api('GET', '/targets.json', undefined, { key: k.key })).status).toBe(200);
    const seen = async () => (await t.api('GET', `/api_keys/${k.id}.json`)).body.api_key.last_used_at;
    expect(await seen()).toBe(new Date(first).toISOString());
    await t.clock.advance(30_000);
    await t.api('GET', '/targets.json', undefined, { key: k.key });
    expect(await seen()).toBe(new Date(first).toISOString());
    await t.clock.advance(31_000);
    await t.api('GET', '/targets.json', undefined, { key: k.key });
    expect(await seen()).toBe(new Date(first + 61_000).toISOString());
  });
});

describe('DELETE /api_keys/:id', () => {
  it('revokes at once: the key answers 401 and stays listed with revoked_at', async () => {
    const k = await makeKey({ name: 'temp', role: 'admin' });
    expect((await t.api('GET', '/targets.json', undefined, { key: k.key })).status).toBe(200);
    const res = await t.api('DELETE', `/api_keys/${k.id}.json`);
    expect(res.status).toBe(200);
    expect(res.body.api_key.revoked_at).toEqual(expect.any(String));
    expect((await t.api('GET', '/targets.json', undefined, { key: k.key })).status).toBe(401);
    const again = await t.api('DELETE', `/api_keys/${k.id}.json`);
    expect(again.body.api_key.revoked_at).toBe(res.body.api_key.revoked_at);
  });

  it('the key printed at first start keeps working', async () => {
    expect((await t.api('GET', '/targets.json')).status).toBe(200);
    expect((await t.api('POST', '/affiliates.json', { affiliate: { afid: 'first-key' } })).status).toBe(201);
  });
});

describe('roles', () => {
  it('a read_only key reads everything and gets 403 on every write', async () => {
    const target = (await t.api('POST', '/targets.json', { target: { number: '+14155550123' } })).body.target;
    const ro = (await makeKey({ name: 'ro', role: 'read_only' })).key;
    const as = (method: string, url: string, body?: unknown) => t.api(method, url, body, { key: ro });

    expect((await as('GET', '/targets.json')).status).toBe(200);
    expect((await as('GET', `/targets/${target.id}.json`)).status).toBe(200);
    expect((await as('GET', '/company.json')).status).toBe(200);

    const writes: [string, string, unknown?][] = [
      ['POST', '/targets.json', { target: { number: '+14155550124' } }],
      ['PUT', `/targets/${target.id}.json`, { target: { name: 'x' } }],
      ['DELETE', `/targets/${target.id}.json`],
      ['POST', '/affiliates.json', { affiliate: { afid: 'ro' } }],
      ['POST', '/campaigns.json', { campaign: { cid: 'ro' } }],
      ['POST', '/call_control_keys.json', { call_control_key: { target_id: target.id } }],
      ['POST', '/companies.json', { company: { name: 'ro' } }],
      ['POST', '/company/webhook_secret/rotate.json'],
      ['POST', '/api_keys.json', { api_key: { name: 'escalate', role: 'admin' } }],
      ['POST', '/sim/endpoints', { number: '+14155550123', busy: true }],
      ['POST', '/sim/calls', { from: '+13015550100', to: '+18005550100' }],
    ];
    for (const [method, url, body] of writes) {
      const res = await as(method, url, body);
      expect(res.status, `${method} ${url}`).toBe(403);
    }
    const forbidden = await as('POST', '/targets.json', { target: { number: '+14155550125' } });
    expect(forbidden.body).toEqual({ status: 403, error: 'Forbidden: this API key is read-only' });
    // Nothing was written.
    expect((await t.api('GET', `/targets/${target.id}.json`)).body.target.name).not.toBe('x');
  });

  it('a read_only key cannot see the keys either', async () => {
    const ro = (await makeKey({ name: 'ro2', role: 'read_only' })).key;
    const res = await t.api('GET', '/api_keys.json', undefined, { key: ro });
    expect(res.status).toBe(403);
  });

  it('an admin key made here may write and make keys', async () => {
    const admin = (await makeKey({ name: 'adm', role: 'admin' })).key;
    expect(
      (await t.api('POST', '/affiliates.json', { affiliate: { afid: 'adm' } }, { key: admin })).status,
    ).toBe(201);
    const made = await makeKey({ name: 'made by admin key', role: 'read_only' }, admin);
    expect(made.role).toBe('read_only');
  });
});

describe('tenancy', () => {
  it('another company’s keys are invisible and unrevokable; a key reaches only its own company', async () => {
    const mine = await makeKey({ name: 'mine', role: 'admin' });
    const other = await t.addTenant();
    const theirs = (
      await t.api('POST', '/api_keys.json', { api_key: { name: 'theirs' } }, { key: other.key })
    ).body.api_key;

    const list = await t.api('GET', '/api_keys.json', undefined, { key: other.key });
    expect(list.body.map((k: { api_key: { id: number } }) => k.api_key.id)).toEqual([theirs.id]);
    expect((await t.api('GET', `/api_keys/${mine.id}.json`, undefined, { key: other.key })).status).toBe(404);
    expect((await t.api('DELETE', `/api_keys/${mine.id}.json`, undefined, { key: other.key })).status).toBe(
      404,
    );
    expect((await t.api('GET', '/targets.json', undefined, { key: mine.key })).status).toBe(200);

    // The key of company A cannot act on company B, even naming it.
    const cross = await t.api('GET', '/targets.json', undefined, {
      key: mine.key,
      companyId: other.companyId,
    });
    expect(cross.status).toBe(403);
  });

  it('a key made here reaches its own company, not every company of the user who made it', async () => {
    const second = (await t.api('POST', '/companies.json', { company: { name: 'Second' } })).body.company;
    const k = await makeKey({ name: 'first company only', role: 'admin' });
    expect((await t.api('GET', `/companies/${second.id}.json`, undefined, { key: k.key })).status).toBe(404);
    expect(
      (await t.api('GET', '/targets.json', undefined, { key: k.key, companyId: second.id })).status,
    ).toBe(403);
    const companies = await t.api('GET', '/companies.json', undefined, { key: k.key });
    expect(companies.body.map((c: { company: { id: number } }) => c.company.id)).toEqual([t.companyId]);
    const create = await t.api('POST', '/companies.json', { company: { name: 'Third' } }, { key: k.key });
    expect(create.status).toBe(403);
  });
});
