import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

let seq = 0;
const fresh = (extra: Record<string, unknown> = {}) => {
  seq++;
  return { email: `person${seq}@example.com`, extension_number: String(100 + seq), ...extra };
};

describe('POST /users.json', () => {
  it('creates a user with the agent defaults and never shows the password', async () => {
    const res = await t.api('POST', '/users.json', {
      user: fresh({
        first_name: 'Tom',
        last_name: 'Sawyer',
        password: 'correct horse',
        phone_number: '(415) 555-0101',
      }),
    });
    expect(res.status, res.text).toBe(201);
    const u = res.body.user;
    expect(u).toMatchObject({
      first_name: 'Tom',
      last_name: 'Sawyer',
      phone_number: '+14155550101',
      agent_number: null,
      can_make_calls: true,
      status: 'available',
      has_password: true,
    });
    expect(res.text).not.toContain('correct horse');
    expect(u.password).toBeUndefined();
    const row = await t.app.store.db
      .selectFrom('people')
      .select('password_hash')
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
  });

  it('accepts a sip: URI as the phone, an agent number and the agent fields', async () => {
    const res = await t.api('POST', '/users.json', {
      user: fresh({
        phone_number: 'sip:tom@pbx.example.com',
        agent_number: '+14155550199',
        can_make_calls: false,
        status: 'unavailable',
      }),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.user).toMatchObject({
      phone_number: 'sip:tom@pbx.example.com',
      agent_number: '+14155550199',
      can_make_calls: false,
      status: 'unavailable',
      has_password: false,
    });
  });

  it('refuses missing and malformed fields, all at once, writing nothing', async () => {
    const before = await t.api('GET', '/users.json');
    const res = await t.api('POST', '/users.json', {
      user: { email: 'nope', extension_number: '12a', password: 'short', phone_number: 'xyz' },
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors).sort()).toEqual(
      ['email', 'extension_number', 'password', 'phone_number'].sort(),
    );
    const blank = await t.api('POST', '/users.json', { user: {} });
    expect(blank.status).toBe(400);
    expect(blank.body.errors.email).toEqual(["can't be blank"]);
    expect(blank.body.errors.extension_number).toEqual(["can't be blank"]);
    const bad = await t.api('POST', '/users.json', { user: fresh({ status: 'busy' }) });
    expect(bad.status).toBe(400);
    const unknown = await t.api('POST', '/users.json', { user: fresh({ role: 'admin' }) });
    expect(unknown.status).toBe(400);
    const after = await t.api('GET', '/users.json');
    expect(after.headers['x-total-count']).toBe(before.headers['x-total-count']);
  });

  it('keeps email (any case) and extension number unique among live users', async () => {
    const body = fresh();
    expect((await t.api('POST', '/users.json', { user: body })).status).toBe(201);
    const dupEmail = await t.api('POST', '/users.json', {
      user: { email: body.email.toUpperCase(), extension_number: '9991' },
    });
    expect(dupEmail.status).toBe(400);
    expect(dupEmail.body.errors).toEqual({ email: ['has already been taken'] });
    const dupExt = await t.api('POST', '/users.json', {
      user: { email: 'other@example.com', extension_number: body.extension_number },
    });
    expect(dupExt.body.errors).toEqual({ extension_number: ['has already been taken'] });
  });

  it('loses the race for a taken email with a 400, not a 500', async () => {
    const body = fresh();
    const results = await Promise.all(
      [1, 2, 3].map((i) =>
        t.api('POST', '/users.json', { user: { ...body, extension_number: `77${i}${seq}` } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 400, 400]);
  });
});

describe('GET/PUT/DELETE /users/{id}.json', () => {
  it('reads, updates (password too), and soft-deletes; the email can then be used again', async () => {
    const body = fresh({ password: 'first password' });
    const u = (await t.api('POST', '/users.json', { user: body })).body.user;
    expect((await t.api('GET', `/users/${u.id}.json`)).body.user.email).toBe(body.email);
    const put = await t.api('PUT', `/users/${u.id}.json`, {
      user: { last_name: 'Finn', status: 'unavailable' },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.user).toMatchObject({ last_name: 'Finn', status: 'unavailable', email: body.email });
    const noPw = await t.api('PUT', `/users/${u.id}.json`, { user: { password: null } });
    expect(noPw.body.user.has_password).toBe(false);
    const del = await t.api('DELETE', `/users/${u.id}.json`);
    expect(del.status).toBe(200);
    expect(del.body.user.deleted_at).toBeTruthy();
    expect((await t.api('GET', `/users/${u.id}.json`)).status).toBe(410);
    expect((await t.api('PUT', `/users/${u.id}.json`, { user: { last_name: 'x' } })).status).toBe(410);
    const list = await t.api('GET', '/users.json');
    expect(list.body.map((x: any) => x.user.id)).not.toContain(u.id);
    expect((await t.api('POST', '/users.json', { user: body })).status).toBe(201);
  });

  it('answers 404 for unknown ids and for another company’s users', async () => {
    expect((await t.api('GET', '/users/999999.json')).status).toBe(404);
    const other = await t.addTenant();
    const theirs = await t.api('POST', '/users.json', { user: fresh() }, { key: other.key });
    expect(theirs.status).toBe(201);
    expect((await t.api('GET', `/users/${theirs.body.user.id}.json`)).status).toBe(404);
    expect((await t.api('DELETE', `/users/${theirs.body.user.id}.json`)).status).toBe(404);
    const mine = await t.api('GET', '/users.json');
    expect(mine.body.map((x: any) => x.user.id)).not.toContain(theirs.body.user.id);
  });

  it('speaks XML and pages 25 at a time with a Link header', async () => {
    for (let i = 0; i < 26; i++) await t.api('POST', '/users.json', { user: fresh() });
    const page1 = await t.api('GET', '/users.json');
    expect(page1.body).toHaveLength(25);
    expect(String(page1.headers.link)).toContain('rel="next"');
    const page2 = await t.api('GET', '/users.json?page=2');
    expect(page2.body.length).toBeGreaterThan(0);
    const xml = await t.api('GET', `/users/${page1.body[0].user.id}.xml`);
    expect(xml.headers['content-type']).toContain('xml');
    expect(xml.text).toContain('<extension-number>');
    expect(xml.text).not.toContain('password-hash');
  });

  it('needs an api_key', async () => {
    expect((await t.api('GET', '/users.json', undefined, { key: null })).status).toBe(401);
  });
});

describe('POST/DELETE /users/{id}/jwt.json', () => {
  it('issues a JWT-shaped credential once and revokes every live one', async () => {
    const u = (await t.api('POST', '/users.json', { user: fresh() })).body.user;
    const a = await t.api('POST', `/users/${u.id}/jwt.json`);
    expect(a.status).toBe(201);
    expect(a.body.jwt.token.split('.')).toHaveLength(3);
    const b = await t.api('POST', `/users/${u.id}/jwt.json`);
    expect(b.body.jwt.token).not.toBe(a.body.jwt.token);
    expect((await t.app.services.users.findByJwt(a.body.jwt.token))?.id).toBe(u.id);
    const del = await t.api('DELETE', `/users/${u.id}/jwt.json`);
    expect(del.body.jwt.revoked).toBe(2);
    expect(await t.app.services.users.findByJwt(a.body.jwt.token)).toBeUndefined();
    expect((await t.api('POST', '/users/999999/jwt.json')).status).toBe(404);
  });
});

describe('/oauth_apps.json', () => {
  it('issues a client whose secret is shown once, lists, and deletes it', async () => {
    const res = await t.api('POST', '/oauth_apps.json', { oauth_app: { name: 'Softphone' } });
    expect(res.status, res.text).toBe(201);
    const a = res.body.oauth_app;
    expect(a.client_id).toBeTruthy();
    expect(a.client_secret).toBeTruthy();
    const got = await t.api('GET', `/oauth_apps/${a.id}.json`);
    expect(got.body.oauth_app.client_secret).toBeUndefined();
    expect(got.body.oauth_app.name).toBe('Softphone');
    const list = await t.api('GET', '/oauth_apps.json');
    expect(list.body.map((x: any) => x.oauth_app.id)).toContain(a.id);
    expect((await t.api('POST', '/oauth_apps.json', { oauth_app: { name: ' ' } })).status).toBe(400);
    expect((await t.api('DELETE', `/oauth_apps/${a.id}.json`)).status).toBe(200);
    expect((await t.api('GET', `/oauth_apps/${a.id}.json`)).status).toBe(410);
    const other = await t.addTenant();
    const theirs = await t.api('POST', '/oauth_apps.json', { oauth_app: { name: 'x' } }, { key: other.key });
    expect((await t.api('GET', `/oauth_apps/${theirs.body.oauth_app.id}.json`)).status).toBe(404);
  });
});
