import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../helpers/app.js';
import { agent, basic, type CcaiClient, ccaiClient, ccaiTestApp } from './helpers.js';

let t: TestApp;
let c: CcaiClient;

beforeAll(async () => {
  t = await ccaiTestApp();
  c = await ccaiClient(t);
});
afterAll(() => t.close());

describe('Core API /ccai_keys.json', () => {
  it('shows the secret once, lists keys without it, and a revoked key answers 401', async () => {
    const own = await ccaiClient(t);
    expect(own.key).toMatch(/^ccai_/);
    expect(own.secret).toMatch(/^[0-9a-f]{48}$/);
    const list = await t.api('GET', '/ccai_keys.json');
    expect(list.status).toBe(200);
    const listed = list.body.find((k: any) => k.ccai_key.key === own.key).ccai_key;
    expect(listed.secret).toBeUndefined();
    expect(JSON.stringify(list.body)).not.toContain(own.secret);
    expect((await own.call('GET', '/apps/api/v1/menus')).status).toBe(200);
    const revoked = await t.api('DELETE', `/ccai_keys/${listed.id}.json`);
    expect(revoked.body.ccai_key.revoked_at).not.toBeNull();
    const after = await own.call('GET', '/apps/api/v1/menus');
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ message: 'Unauthorized' });
  });

  it('stores only a hash of the secret', async () => {
    const rows = await t.app.store.db.selectFrom('ccai_keys').select('secret_hash').execute();
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.secret_hash))).toBe(true);
    expect(rows.map((r) => r.secret_hash)).not.toContain(c.secret);
  });
});

describe('authentication', () => {
  it.each([
    ['no credentials', null],
    ['a wrong secret', 'wrong'],
    ['a bearer token', 'Bearer abc'],
    ['an unknown key', basic('ccai_nobody', 'x')],
  ])('answers 401 with {"message"} for %s', async (_name, header) => {
    const auth = header === 'wrong' ? basic(c.key, 'nope') : header;
    const res = await c.call('GET', '/apps/api/v1/menus', undefined, auth);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: 'Unauthorized' });
    expect(res.headers['www-authenticate']).toContain('Basic');
  });

  it('does not take a Core API key', async () => {
    const res = await t.api('GET', '/apps/api/v1/menus');
    expect(res.status).toBe(401);
  });
});

describe('rate limit', () => {
  it('takes 10 requests per second per key, answers 429 beyond, and again the next second', async () => {
    const limited = await ccaiTestApp({ CCAI_RATE_LIMIT_PER_SECOND: '10' });
    try {
      const a = await ccaiClient(limited);
      const b = await ccaiClient(limited);
      const statuses = [];
      for (let i = 0; i < 11; i++) statuses.push((await a.call('GET', '/apps/api/v1/menus')).status);
      expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
      const over = await a.call('GET', '/apps/api/v1/menus');
      expect(over.status).toBe(429);
      expect(over.body).toEqual({ message: 'Too Many Requests' });
      expect(over.headers['retry-after']).toBe('1');
      // Another key has its own budget.
      expect((await b.call('GET', '/apps/api/v1/menus')).status).toBe(200);
      await limited.clock.advance(1_000);
      expect((await a.call('GET', '/apps/api/v1/menus')).status).toBe(200);
    } finally {
      await limited.close();
    }
    // A second app: building it takes seconds on a loaded machine.
  }, 60_000);
});

describe('/apps/api/v1/menus', () => {
  it('creates a tree: materialized_path, defaults, hours, languages', async () => {
    const root = await c.call('POST', '/apps/api/v1/menus', { name: 'Support', menu_type: 'ivr_menu' });
    expect(root.status, root.text).toBe(201);
    expect(root.body).toMatchObject({
      name: 'Support',
      menu_type: 'ivr_menu',
      parent_id: null,
      position: 0,
      hidden: false,
      deleted: false,
      languages: ['en'],
      agent_ids: [],
      offer_type: 'cascade',
      manual_redirection: false,
      hours: null,
      materialized_path: String(root.body.id),
    });
    const a1 = await agent(t, { email: 'menu-agent@example.com' });
    const hours = {
      time_zone: 'America/New_York',
      schedule: [{ day: 'monday', open: '09:00', close: '17:00' }],
    };
    const leaf = await c.call('POST', '/apps/api/v1/menus', {
      name: 'Lock Star',
      menu_type: 'mobile_menu',
      parent_id: root.body.id,
      position: 2,
      output_msg: 'You selected Lock Star.',
      languages: ['EN', 'ko'],
      agent_ids: [a1],
      offer_type: 'multicast',
      hours,
    });
    expect(leaf.status, leaf.text).toBe(201);
    expect(leaf.body).toMatchObject({
      materialized_path: `${root.body.id}/${leaf.body.id}`,
      languages: ['en', 'ko'],
      agent_ids: [a1],
      offer_type: 'multicast',
      hours,
    });
    const got = await c.call('GET', `/apps/api/v1/menus/${leaf.body.id}`);
    expect(got.body).toEqual(leaf.body);
    const patched = await c.call('PATCH', `/apps/api/v1/menus/${leaf.body.id}`, {
      manual_redirection: true,
      hours: null,
    });
    expect(patched.body).toMatchObject({ manual_redirection: true, hours: null, name: 'Lock Star' });
    const list = await c.call('GET', '/apps/api/v1/menus');
    expect(list.body.map((m: any) => m.id)).toEqual(expect.arrayContaining([root.body.id, leaf.body.id]));
    expect(list.headers['x-total-count']).toBeDefined();
  });

  it.each([
    [{ name: 'x', menu_type: 'sms_menu' }, /menu_type/],
    [{ menu_type: 'ivr_menu' }, /name/],
    [{ name: 'x', menu_type: 'ivr_menu', languages: ['xy'] }, /languages has unknown ISO 639-1 codes: xy/],
    [{ name: 'x', menu_type: 'ivr_menu', parent_id: 999_999 }, /parent_id is not a live menu/],
    [
      { name: 'x', menu_type: 'ivr_menu', agent_ids: [999_999] },
      /agent_ids are not users of this company: 999999/,
    ],
    [
      { name: 'x', menu_type: 'ivr_menu', hours: { time_zone: 'Mars/Base', schedule: [] } },
      /hours.time_zone is not an IANA time zone/,
    ],
    [
      {
        name: 'x',
        menu_type: 'ivr_menu',
        hours: { time_zone: 'UTC', schedule: [{ day: 'monday', open: '17:00', close: '09:00' }] },
      },
      /hours.schedule.0.close must be later than open/,
    ],
  ])('refuses %j with a 400 {"message"}', async (body, message) => {
    const res = await c.call('POST', '/apps/api/v1/menus', body);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual(['message']);
    expect(res.body.message).toMatch(message);
  });

  it('refuses a parent that would make a cycle', async () => {
    const a = await c.call('POST', '/apps/api/v1/menus', { name: 'a', menu_type: 'ivr_menu' });
    const b = await c.call('POST', '/apps/api/v1/menus', {
      name: 'b',
      menu_type: 'ivr_menu',
      parent_id: a.body.id,
    });
    const res = await c.call('PATCH', `/apps/api/v1/menus/${a.body.id}`, { parent_id: b.body.id });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/own ancestor/);
  });

  it('soft-deletes: the menu answers deleted, leaves the list, and takes no more changes', async () => {
    const m = await c.call('POST', '/apps/api/v1/menus', { name: 'gone', menu_type: 'web_menu' });
    const del = await c.call('DELETE', `/apps/api/v1/menus/${m.body.id}`);
    expect(del.status).toBe(200);
    expect(del.body.deleted).toBe(true);
    expect((await c.call('GET', `/apps/api/v1/menus/${m.body.id}`)).body.deleted).toBe(true);
    const list = await c.call('GET', '/apps/api/v1/menus?per=100');
    expect(list.body.map((x: any) => x.id)).not.toContain(m.body.id);
    const res = await c.call('PATCH', `/apps/api/v1/menus/${m.body.id}`, { name: 'back' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: 'Menu not found' });
  });
});

describe('/apps/api/v1/outbound_numbers', () => {
  it('keeps at most one default', async () => {
    const first = await c.call('POST', '/apps/api/v1/outbound_numbers', { number: '+1 339-219-5276' });
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({ number: '+13392195276', default: true });
    const second = await c.call('POST', '/apps/api/v1/outbound_numbers', { number: '+1 760-867-5309' });
    expect(second.body.default).toBe(false);
    const made = await c.call('PATCH', `/apps/api/v1/outbound_numbers/${second.body.id}`, { default: true });
    expect(made.body.default).toBe(true);
    expect((await c.call('GET', `/apps/api/v1/outbound_numbers/${first.body.id}`)).body.default).toBe(false);
    await c.call('DELETE', `/apps/api/v1/outbound_numbers/${second.body.id}`);
    expect((await c.call('GET', `/apps/api/v1/outbound_numbers/${first.body.id}`)).body.default).toBe(true);
    // A company may clear its default: calls must then say which number (docs/ccai.md).
    const unset = await c.call('PATCH', `/apps/api/v1/outbound_numbers/${first.body.id}`, { default: false });
    expect(unset.body.default).toBe(false);
    const dup = await c.call('POST', '/apps/api/v1/outbound_numbers', { number: '3392195276' });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ message: 'number has already been taken' });
    const bad = await c.call('POST', '/apps/api/v1/outbound_numbers', { number: '123' });
    expect(bad.status).toBe(400);
  });
});

describe('/apps/api/v1/end_users', () => {
  it('creates, reads, updates and deletes', async () => {
    const made = await c.call('POST', '/apps/api/v1/end_users', {
      ticket_id: '71450',
      phone_number: '+1 859-657-9625',
      name: 'Pat',
    });
    expect(made.status, made.text).toBe(201);
    expect(made.body).toMatchObject({ ticket_id: '71450', phone_number: '+18596579625', name: 'Pat' });
    const upd = await c.call('PATCH', `/apps/api/v1/end_users/${made.body.id}`, { name: 'Pat Doe' });
    expect(upd.body.name).toBe('Pat Doe');
    expect((await c.call('GET', '/apps/api/v1/end_users')).body.map((e: any) => e.id)).toContain(
      made.body.id,
    );
    expect((await c.call('DELETE', `/apps/api/v1/end_users/${made.body.id}`)).status).toBe(200);
    expect((await c.call('GET', `/apps/api/v1/end_users/${made.body.id}`)).status).toBe(404);
  });
});

describe('/apps/api/v1/agents', () => {
  it('lists the company users as agents, read-only', async () => {
    const id = await agent(t, {
      email: 'allen@somedomain.com',
      first_name: 'Allen',
      last_name: 'Smith',
      phone_number: '+12055550100',
      agent_number: '+12055550199',
      can_make_calls: false,
      status: 'unavailable',
    });
    const list = await c.call('GET', '/apps/api/v1/agents?per=100');
    expect(list.status).toBe(200);
    expect(list.body.find((a: any) => a.id === id)).toEqual({
      id,
      name: 'Allen Smith',
      first_name: 'Allen',
      last_name: 'Smith',
      agent_number: '+12055550199',
      avatar_url: null,
      email: 'allen@somedomain.com',
      phone_number: '+12055550100',
      extension_number: expect.any(String),
      status: 'unavailable',
      can_make_calls: false,
    });
    expect((await c.call('GET', `/apps/api/v1/agents/${id}`)).body.id).toBe(id);
    expect((await c.call('POST', '/apps/api/v1/agents', { email: 'x@y.z' })).status).toBe(405);
  });
});

describe('hostile input', () => {
  it.each([
    '/apps/api/v1/menus',
    '/apps/api/v1/calls',
    '/manager/api/v1/calls',
  ])('answers 400 {"message"} naming page for page=Infinity on %s', async (path) => {
    for (const page of ['Infinity', '1e309', '0', 'x']) {
      const res = await c.call('GET', `${path}?page=${page}`);
      expect(res.status, `${path} ${page}`).toBe(400);
      expect(res.body.message).toMatch(/^page /);
    }
  });

  it('answers 400 {"message"} for a malformed JSON body and an id like 1e309', async () => {
    const bad = await t.api('POST', '/apps/api/v1/menus', undefined, {
      key: null,
      headers: { authorization: basic(c.key, c.secret), 'content-type': 'application/json' },
      rawBody: '{"name":',
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body)).toEqual(['message']);
    const id = await c.call('GET', '/apps/api/v1/calls/1e309');
    expect(id.status).toBe(400);
    expect(Object.keys(id.body)).toEqual(['message']);
  });
});

describe('paths no route matches', () => {
  it.each([
    ['GET', '/apps/api/v1/nothing'],
    ['GET', '/apps/api/v2/calls'],
    ['POST', '/apps/api/v1/calls/5/transfer'],
    ['GET', '/manager/api/v1/agents/none'],
    ['GET', '/apps'],
  ])('%s %s answers 404 in CCAI shape, with or without credentials', async (method, url) => {
    for (const auth of [undefined, null]) {
      const res = await c.call(method, url, undefined, auth);
      expect(res.status, url).toBe(404);
      expect(res.body).toEqual({ message: 'Resource not found' });
    }
  });

  it('a known path with another method answers 405 with Allow, in CCAI shape', async () => {
    const res = await c.call('DELETE', '/apps/api/v1/calls');
    expect(res.status).toBe(405);
    expect(Object.keys(res.body)).toEqual(['message']);
    expect(res.headers.allow).toContain('POST');
  });

  it('other paths keep the Retreaver shape', async () => {
    const res = await t.api('GET', '/no_such_thing.json');
    expect(res.status).toBe(404);
    expect(res.body).not.toHaveProperty('message');
  });
});

describe('tenant isolation', () => {
  it("answers 404 for another company's objects", async () => {
    const other = await t.addTenant();
    const theirs = await ccaiClient(t, other.key);
    const menu = await c.call('POST', '/apps/api/v1/menus', { name: 'mine', menu_type: 'ivr_menu' });
    const number = await c.call('POST', '/apps/api/v1/outbound_numbers', { number: '+14155550123' });
    const eu = await c.call('POST', '/apps/api/v1/end_users', { ticket_id: 'T1' });
    for (const url of [
      `/apps/api/v1/menus/${menu.body.id}`,
      `/apps/api/v1/outbound_numbers/${number.body.id}`,
      `/apps/api/v1/end_users/${eu.body.id}`,
    ]) {
      const res = await theirs.call('GET', url);
      expect(res.status, url).toBe(404);
      expect(Object.keys(res.body)).toEqual(['message']);
      expect((await theirs.call('DELETE', url)).status).toBe(404);
    }
    expect((await theirs.call('GET', '/apps/api/v1/menus')).body).toEqual([]);
  });
});
