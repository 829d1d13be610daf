import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
const base = '/campaigns/cid/hook1/webhooks';

beforeAll(async () => {
  t = await createTestApp();
  expect((await t.api('POST', '/campaigns.json', { campaign: { cid: 'hook1', name: 'Hooks' } })).status).toBe(
    201,
  );
});
afterAll(async () => t.close());

async function createHook(body: Record<string, unknown>, path = base) {
  const res = await t.api('POST', `${path}.json`, { webhook: body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.webhook;
}

describe('Webhooks: CRUD', () => {
  it('creates a webhook and returns every field', async () => {
    const res = await t.api('POST', `${base}.json`, {
      webhook: {
        name: 'CRM',
        url: 'https://crm.example.com/hooks',
        fallback_url: 'http://backup.example.com/hooks',
        events: ['call_ended', 'call_started'],
      },
    });
    expect(res.status, res.text).toBe(201);
    const hook = res.body.webhook;
    expect(Object.keys(hook).sort()).toEqual([
      'created_at',
      'events',
      'fallback_url',
      'id',
      'name',
      'updated_at',
      'url',
    ]);
    expect(hook).toMatchObject({
      name: 'CRM',
      url: 'https://crm.example.com/hooks',
      fallback_url: 'http://backup.example.com/hooks',
      // Known order, whatever order they were sent in.
      events: ['call_started', 'call_ended'],
    });
    expect(hook.id).toBeGreaterThan(0);
    expect(new Date(hook.created_at).getTime()).toBe(t.clock.now());
    expect(hook.updated_at).toBe(hook.created_at);
  });

  it('defaults events to ["call_ended"] and fallback_url to null; accepts a bare body', async () => {
    const res = await t.api('POST', `${base}.json`, { name: 'Bare', url: 'http://a.example.com/x' });
    expect(res.status, res.text).toBe(201);
    expect(res.body.webhook).toMatchObject({ name: 'Bare', fallback_url: null, events: ['call_ended'] });
  });

  it('accepts form fields, events as a list, and drops repeated events', async () => {
    const res = await t.api('POST', `${base}.json`, undefined, {
      rawBody:
        'webhook[name]=Form&webhook[url]=https://f.example.com/&webhook[events][]=call_connected&webhook[events][]=call_connected',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.webhook).toMatchObject({ name: 'Form', events: ['call_connected'] });
  });

  it('lists the campaign webhooks in creation order, paged with a Link header', async () => {
    const res = await t.api('GET', `${base}.json`);
    expect(res.status).toBe(200);
    expect(res.body.map((w: any) => w.webhook.name)).toEqual(['CRM', 'Bare', 'Form']);
    expect(res.headers['x-total-count']).toBe('3');
    expect(String(res.headers.link)).toContain('rel="last"');
  });

  it('gets one webhook', async () => {
    const [first] = (await t.api('GET', `${base}.json`)).body;
    const res = await t.api('GET', `${base}/${first.webhook.id}.json`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(first);
  });

  it('updates only the attributes passed in; fallback_url null removes the fallback', async () => {
    const hook = await createHook({
      name: 'Up',
      url: 'https://u.example.com/',
      fallback_url: 'https://v.example.com/',
    });
    await t.clock.advance(1000);
    const res = await t.api('PUT', `${base}/${hook.id}.json`, {
      webhook: { events: ['call_connected', 'call_ended'] },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.webhook).toMatchObject({
      name: 'Up',
      url: 'https://u.example.com/',
      fallback_url: 'https://v.example.com/',
      events: ['call_connected', 'call_ended'],
    });
    expect(new Date(res.body.webhook.updated_at).getTime()).toBe(t.clock.now());
    expect(res.body.webhook.created_at).toBe(hook.created_at);
    const cleared = await t.api('PUT', `${base}/${hook.id}.json`, {
      webhook: { fallback_url: null, name: 'Up2' },
    });
    expect(cleared.body.webhook).toMatchObject({
      fallback_url: null,
      name: 'Up2',
      events: ['call_connected', 'call_ended'],
    });
    const blank = await t.api('PUT', `${base}/${hook.id}.json`, { webhook: { fallback_url: ' ' } });
    expect(blank.body.webhook.fallback_url).toBeNull();
  });

  it('accepts a GET representation back (read-only fields ignored)', async () => {
    const hook = await createHook({ name: 'Echo', url: 'https://e.example.com/' });
    const res = await t.api('PUT', `${base}/${hook.id}.json`, { webhook: { ...hook, name: 'Echo2' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.webhook).toMatchObject({ id: hook.id, name: 'Echo2' });
  });

  it('deletes a webhook, answering it as it was; afterwards it is 404', async () => {
    const hook = await createHook({ name: 'Gone', url: 'https://g.example.com/' });
    const res = await t.api('DELETE', `${base}/${hook.id}.json`);
    expect(res.status).toBe(200);
    expect(res.body.webhook).toEqual(hook);
    expect((await t.api('GET', `${base}/${hook.id}.json`)).status).toBe(404);
    expect((await t.api('DELETE', `${base}/${hook.id}.json`)).status).toBe(404);
  });
});

describe('Webhooks: XML', () => {
  it('answers a webhook in XML with its events as an array', async () => {
    const hook = await createHook({
      name: 'X',
      url: 'https://x.example.com/',
      events: ['call_started', 'call_ended'],
    });
    const xml = await t.api('GET', `${base}/${hook.id}.xml`);
    expect(xml.status).toBe(200);
    expect(xml.headers['content-type']).toContain('text/xml');
    expect(xml.text).toContain('<webhook>');
    expect(xml.text).toContain(`<id type="integer">${hook.id}</id>`);
    expect(xml.text).toContain('<name>X</name>');
    expect(xml.text).toContain('<fallback-url nil="true"></fallback-url>');
    expect(xml.text).toMatch(
      /<events type="array">\s*<event>call_started<\/event>\s*<event>call_ended<\/event>\s*<\/events>/,
    );
    expect(xml.text).toMatch(/<created-at type="datetime">\d{4}-\d\d-\d\dT/);
  });

  it('lists as an XML array', async () => {
    const xml = await t.api('GET', `${base}.xml`);
    expect(xml.text).toContain('<webhooks type="array">');
  });

  it('creates from an XML body', async () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<webhook>
  <name>From XML</name>
  <url>https://xml.example.com/in</url>
  <fallback-url>https://xml.example.com/fb</fallback-url>
  <events type="array"><event>call_connected</event></events>
</webhook>`;
    const res = await t.api('POST', `${base}.xml`, undefined, {
      rawBody: body,
      headers: { 'content-type': 'text/xml' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.text).toContain('<name>From XML</name>');
    expect(res.text).toContain('<fallback-url>https://xml.example.com/fb</fallback-url>');
    expect(res.text).toMatch(/<events type="array">\s*<event>call_connected<\/event>\s*<\/events>/);
  });

  it('reports XML validation errors in XML', async () => {
    const res = await t.api('POST', `${base}.xml`, undefined, {
      rawBody: '<webhook><url>ftp://x.example.com/</url></webhook>',
      headers: { 'content-type': 'text/xml' },
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<error>');
    expect(res.text).toContain('<status type="integer">400</status>');
  });
});

describe('Webhooks: validation', () => {
  const bad = async (body: Record<string, unknown>, field: string, message?: string) => {
    const res = await t.api('POST', `${base}.json`, { webhook: body });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ status: 400 });
    expect(typeof res.body.error).toBe('string');
    expect(res.body.errors?.[field], JSON.stringify(res.body)).toBeDefined();
    if (message) expect(res.body.errors[field]).toContain(message);
  };
  const url = 'https://ok.example.com/';

  it('requires name and url on create', async () => {
    await bad({ url }, 'name', "can't be blank");
    await bad({ name: '  ', url }, 'name', "can't be blank");
    await bad({ name: 'n' }, 'url', "can't be blank");
  });
  it('refuses URLs that are not absolute http(s)', async () => {
    await bad({ name: 'n', url: 'ftp://x.example.com/' }, 'url', 'must be an http or https URL');
    await bad({ name: 'n', url: 'javascript:alert(1)' }, 'url', 'must be an http or https URL');
    await bad({ name: 'n', url: '/relative' }, 'url', 'is not a valid URL');
    await bad(
      { name: 'n', url, fallback_url: 'file:///etc/passwd' },
      'fallback_url',
      'must be an http or https URL',
    );
    await bad({ name: 'n', url: `https://x.example.com/${'a'.repeat(2100)}` }, 'url');
  });
  it('refuses an empty events list, unknown events and non-lists', async () => {
    await bad({ name: 'n', url, events: [] }, 'events', "can't be empty");
    await bad({ name: 'n', url, events: ['call_ended', 'call_exploded'] }, 'events');
    await bad({ name: 'n', url, events: { a: 1 } }, 'events');
  });
  it('refuses unknown attributes', () =>
    bad({ name: 'n', url, secret: 'x' }, 'secret', 'is not a known attribute'));
  it('reports every bad field at once', async () => {
    const res = await t.api('POST', `${base}.json`, { webhook: { url: 'gopher://x', events: ['nope'] } });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors).sort()).toEqual(['events', 'name', 'url']);
  });
  it('validates updates too, and leaves the webhook unchanged', async () => {
    const hook = await createHook({ name: 'Keep', url });
    for (const body of [{ name: '' }, { url: 'mailto:a@b.c' }, { events: [] }]) {
      const res = await t.api('PUT', `${base}/${hook.id}.json`, { webhook: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.api('GET', `${base}/${hook.id}.json`)).body.webhook).toEqual(hook);
  });
});

describe('Webhooks: not found and tenancy', () => {
  it('answers 404 for an unknown campaign or webhook, and a webhook of another campaign', async () => {
    expect((await t.api('GET', '/campaigns/cid/nope/webhooks.json')).status).toBe(404);
    expect(
      (await t.api('POST', '/campaigns/cid/nope/webhooks.json', { name: 'n', url: 'https://a.example.com/' }))
        .status,
    ).toBe(404);
    expect((await t.api('GET', `${base}/999999.json`)).status).toBe(404);
    await t.api('POST', '/campaigns.json', { campaign: { cid: 'hook2' } });
    const hook = await createHook(
      { name: 'Other', url: 'https://o.example.com/' },
      '/campaigns/cid/hook2/webhooks',
    );
    expect((await t.api('GET', `${base}/${hook.id}.json`)).status).toBe(404);
    expect((await t.api('PUT', `${base}/${hook.id}.json`, { name: 'x' })).status).toBe(404);
    expect((await t.api('DELETE', `${base}/${hook.id}.json`)).status).toBe(404);
  });

  it('answers 410 for a deleted campaign', async () => {
    await t.api('POST', '/campaigns.json', { campaign: { cid: 'hook-gone' } });
    await t.api('DELETE', '/campaigns/cid/hook-gone.json');
    expect((await t.api('GET', '/campaigns/cid/hook-gone/webhooks.json')).status).toBe(410);
  });

  it("hides another company's campaign and webhooks (404)", async () => {
    const other = await t.addTenant();
    const as = { key: other.key };
    expect((await t.api('GET', `${base}.json`, undefined, as)).status).toBe(404);
    expect(
      (await t.api('POST', `${base}.json`, { name: 'n', url: 'https://a.example.com/' }, as)).status,
    ).toBe(404);
    const [first] = (await t.api('GET', `${base}.json`)).body;
    const item = `${base}/${first.webhook.id}.json`;
    expect((await t.api('GET', item, undefined, as)).status).toBe(404);
    expect((await t.api('PUT', item, { name: 'theirs' }, as)).status).toBe(404);
    expect((await t.api('DELETE', item, undefined, as)).status).toBe(404);
    expect((await t.api('GET', item)).body).toEqual(first);
  });
});

describe('Company webhook secret', () => {
  it('is made on first use, then stays the same; JSON and XML', async () => {
    const first = await t.api('GET', '/company/webhook_secret.json');
    expect(first.status, first.text).toBe(200);
    expect(Object.keys(first.body.webhook_secret).sort()).toEqual(['created_at', 'secret']);
    expect(first.body.webhook_secret.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(new Date(first.body.webhook_secret.created_at).getTime()).toBe(t.clock.now());
    expect((await t.api('GET', '/company/webhook_secret.json')).body).toEqual(first.body);
    const xml = await t.api('GET', '/company/webhook_secret.xml');
    expect(xml.text).toContain(`<secret>${first.body.webhook_secret.secret}</secret>`);
    expect(xml.text).toMatch(/<webhook-secret>[\s\S]*<created-at type="datetime">/);
  });

  it('rotates to a new secret that GET then answers', async () => {
    const before = (await t.api('GET', '/company/webhook_secret.json')).body.webhook_secret;
    await t.clock.advance(5000);
    const rotated = await t.api('POST', '/company/webhook_secret/rotate.json');
    expect(rotated.status, rotated.text).toBe(200);
    const after = rotated.body.webhook_secret;
    expect(after.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(after.secret).not.toBe(before.secret);
    expect(new Date(after.created_at).getTime()).toBe(t.clock.now());
    expect((await t.api('GET', '/company/webhook_secret.json')).body.webhook_secret).toEqual(after);
  });

  it('is per company, and needs a key', async () => {
    const other = await t.addTenant();
    const mine = (await t.api('GET', '/company/webhook_secret.json')).body.webhook_secret.secret;
    const theirs = await t.api('GET', '/company/webhook_secret.json', undefined, { key: other.key });
    expect(theirs.status).toBe(200);
    expect(theirs.body.webhook_secret.secret).not.toBe(mine);
    await t.api('POST', '/company/webhook_secret/rotate.json', undefined, { key: other.key });
    expect((await t.api('GET', '/company/webhook_secret.json')).body.webhook_secret.secret).toBe(mine);
    expect((await t.api('GET', '/company/webhook_secret.json', undefined, { key: null })).status).toBe(401);
  });

  it('is described in the OpenAPI document with the webhooks resource', async () => {
    const res = await t.app.http.inject({ method: 'GET', url: '/openapi' });
    const doc = JSON.parse(res.body);
    expect(doc.paths['/campaigns/cid/{cid}/webhooks.json'].post.summary).toBe('Create a Webhook');
    expect(doc.paths['/campaigns/cid/{cid}/webhooks/{id}.json'].put).toBeDefined();
    expect(doc.paths['/company/webhook_secret.json'].get.description).toContain('HMAC-SHA256');
    expect(doc.paths['/company/webhook_secret/rotate.json'].post.description).toContain(
      'stops signing at once',
    );
  });
});
