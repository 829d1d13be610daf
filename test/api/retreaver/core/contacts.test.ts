import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const db = () => t.app.store.db;
let seq = 0;
/** A fresh, valid NANP number per call so tests do not collide. */
const fresh = () => `+1212555${String(1000 + seq++).padStart(4, '0')}`;

async function createContact(numbers: { number: string; description?: string }[], tagList?: string) {
  const res = await t.api('POST', '/contacts.json', {
    contact: { ...(tagList !== undefined ? { tag_list: tagList } : {}), contact_numbers_attributes: numbers },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.contact;
}

const counts = async () => ({
  contacts: (await db().selectFrom('contacts').select('id').where('deleted_at', 'is', null).execute()).length,
  numbers: (await db().selectFrom('contact_numbers').select('id').execute()).length,
  tags: (await db().selectFrom('tag_values').select('id').where('owner_type', '=', 'contact').execute())
    .length,
});

describe('Contacts: create and read', () => {
  it("creates the seed's example contact: number normalized to E.164, tags parsed", async () => {
    const res = await t.api('POST', '/contacts.json', {
      contact: {
        tag_list: '<<<name:Retreaver Support>>>',
        contact_numbers_attributes: [{ number: '8668987878', description: 'Landline' }],
      },
    });
    expect(res.status).toBe(201);
    const c = res.body.contact;
    const numberRow = await db()
      .selectFrom('contact_numbers')
      .selectAll()
      .where('contact_id', '=', c.id)
      .executeTakeFirstOrThrow();
    const tagRow = await db()
      .selectFrom('tag_values')
      .selectAll()
      .where('owner_id', '=', c.id)
      .where('owner_type', '=', 'contact')
      .executeTakeFirstOrThrow();
    expect(res.body).toEqual({
      contact: {
        id: c.id,
        contact_numbers: [{ number: '+18668987878', description: 'Landline', id: numberRow.id }],
        tag_values: [{ key: 'name', value: 'Retreaver Support', operator: '==', id: tagRow.id }],
      },
    });
  });

  it('GET /contacts/:id and the list answer the same representation', async () => {
    const c = await createContact(
      [{ number: fresh(), description: 'Mobile' }, { number: fresh() }],
      '<<<a:1>>>,<<<b:2>>>',
    );
    const one = await t.api('GET', `/contacts/${c.id}.json`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ contact: c });
    expect(c.contact_numbers[1].description).toBeNull();
    expect(c.tag_values.map((v: any) => `${v.key}=${v.value}`)).toEqual(['a=1', 'b=2']);
    const list = await t.api('GET', '/contacts.json');
    expect(list.body).toContainEqual({ contact: c });
  });

  it('reads in XML with dasherized elements, nested arrays and a list root', async () => {
    const n = fresh();
    const c = await createContact([{ number: n, description: 'Home' }], '<<<name:X>>>');
    const xml = await t.api('GET', `/contacts/${c.id}.xml`);
    expect(xml.headers['content-type']).toContain('text/xml');
    expect(xml.text).toContain('<contact-numbers type="array">');
    expect(xml.text).toContain('<contact-number>');
    expect(xml.text).toContain(`<number>${n}</number>`);
    expect(xml.text).toContain('<tag-values type="array">');
    expect(xml.text).toContain('<tag-value>');
    const list = await t.api('GET', '/contacts.xml');
    expect(list.text).toContain('<contacts type="array">');
  });

  it('accepts an XML request body', async () => {
    const n = fresh();
    const res = await t.api('POST', '/contacts.xml', undefined, {
      headers: { 'content-type': 'text/xml' },
      rawBody: `<?xml version="1.0"?><contact><tag-list>&lt;&lt;&lt;source:xml&gt;&gt;&gt;</tag-list>
        <contact-numbers-attributes type="array"><contact-numbers-attribute><number>${n.slice(2)}</number>
        <description>Work</description></contact-numbers-attribute></contact-numbers-attributes></contact>`,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.text).toContain(`<number>${n}</number>`);
    expect(res.text).toContain('<value>xml</value>');
  });

  it('accepts sip: endpoints as contact numbers and finds them by path', async () => {
    const c = await createContact([{ number: 'sip:agent@pbx.example.com' }]);
    expect(c.contact_numbers[0].number).toBe('sip:agent@pbx.example.com');
    for (const form of ['sip:agent@pbx.example.com', 'sip%3Aagent%40pbx.example.com']) {
      expect((await t.api('GET', `/contact_numbers/${form}/contact.json`)).body.contact.id, form).toBe(c.id);
    }
  });

  it('accepts Rails-style form bodies, including _destroy=1', async () => {
    const [a, b] = [fresh(), fresh()];
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const created = await t.api('POST', '/contacts.json', undefined, {
      headers: form,
      rawBody: `contact[tag_list]=<<<a:b>>>&contact[contact_numbers_attributes][0][number]=${encodeURIComponent(a)}&contact[contact_numbers_attributes][1][number]=${encodeURIComponent(b)}`,
    });
    expect(created.status, created.text).toBe(201);
    const [na, nb] = created.body.contact.contact_numbers;
    expect([na.number, nb.number]).toEqual([a, b]);
    const updated = await t.api('PUT', `/contacts/${created.body.contact.id}.json`, undefined, {
      headers: form,
      rawBody: `contact[contact_numbers_attributes][0][id]=${na.id}&contact[contact_numbers_attributes][0][_destroy]=1&contact[contact_numbers_attributes][1][id]=${nb.id}&contact[contact_numbers_attributes][1][_destroy]=0`,
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body.contact.contact_numbers).toEqual([nb]);
  });

  it('paginates past 25 contacts with a Link header', async () => {
    const tenant = await t.addTenant();
    for (let i = 0; i < 26; i++) {
      const r = await t.api(
        'POST',
        '/contacts.json',
        { contact_numbers_attributes: [{ number: fresh() }] },
        { key: tenant.key },
      );
      expect(r.status).toBe(201);
    }
    const page1 = await t.api('GET', '/contacts.json', undefined, { key: tenant.key });
    expect(page1.body).toHaveLength(25);
    expect(page1.headers['x-total-count']).toBe('26');
    expect(String(page1.headers.link)).toMatch(/page=2[^>]*>; rel="next"/);
    const page2 = await t.api('GET', '/contacts.json?page=2', undefined, { key: tenant.key });
    expect(page2.body).toHaveLength(1);
    expect(String(page2.headers.link)).toMatch(/page=1[^>]*>; rel="prev"/);
  });
});

describe('Contacts: bad input is refused whole', () => {
  it('requires at least one contact number', async () => {
    const before = await counts();
    for (const body of [
      { contact: { tag_list: '<<<a:b>>>' } },
      { contact: { contact_numbers_attributes: [] } },
    ]) {
      const res = await t.api('POST', '/contacts.json', body);
      expect(res.status).toBe(400);
      expect(res.body.errors.contact_numbers_attributes).toBeDefined();
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses bad numbers, wrong types, unknown fields, a bad tag list and taken numbers', async () => {
    const taken = fresh();
    await createContact([{ number: taken }]);
    const before = await counts();
    const ok = fresh();
    const cases: [unknown, string][] = [
      [
        { contact_numbers_attributes: [{ number: ok }, { number: 'not-a-number' }] },
        'contact_numbers_attributes.1.number',
      ],
      [{ contact_numbers_attributes: [{ number: '123' }] }, 'contact_numbers_attributes.0.number'],
      [{ contact_numbers_attributes: [{ number: 'sip:nobody' }] }, 'contact_numbers_attributes.0.number'],
      [{ contact_numbers_attributes: [{ description: 'no number' }] }, 'contact_numbers_attributes.0.number'],
      [
        { contact_numbers_attributes: [{ number: ok }, { number: taken }] },
        'contact_numbers_attributes.1.number',
      ],
      [
        { contact_numbers_attributes: [{ number: ok }, { number: ok.slice(2) }] },
        'contact_numbers_attributes.1.number',
      ],
      [{ contact_numbers_attributes: [{ id: 1, number: ok }] }, 'contact_numbers_attributes.0.id'],
      [{ contact_numbers_attributes: { number: ok } }, 'contact_numbers_attributes'],
      [
        { contact_numbers_attributes: [{ number: ok, colour: 'red' }] },
        'contact_numbers_attributes.0.colour',
      ],
      [{ contact_numbers_attributes: [{ number: ok }], nickname: 'x' }, 'nickname'],
      [{ contact_numbers_attributes: [{ number: ok }], tag_list: 'name:bare' }, 'tag_list'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api('POST', '/contacts.json', { contact: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.status).toBe(400);
      expect(Object.keys(res.body.errors ?? {}), JSON.stringify(res.body)).toContain(field);
    }
    expect(await counts()).toEqual(before);
  });

  it('reports a taken number with a clear message', async () => {
    const n = fresh();
    await createContact([{ number: n }]);
    const res = await t.api('POST', '/contacts.json', { contact_numbers_attributes: [{ number: n }] });
    expect(res.body.errors['contact_numbers_attributes.0.number']).toEqual(['has already been taken']);
  });
});

describe('Contacts: update', () => {
  it("changes a number by id (the seed's update example), keeping its description and tags", async () => {
    const c = await createContact(
      [{ number: fresh(), description: 'Landline' }],
      '<<<name:Retreaver Support>>>',
    );
    const id = c.contact_numbers[0].id;
    const res = await t.api('PUT', `/contacts/${c.id}.json`, {
      contact: { contact_numbers_attributes: [{ id, number: '+18001234567' }] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.contact.contact_numbers).toEqual([
      { number: '+18001234567', description: 'Landline', id },
    ]);
    expect(res.body.contact.tag_values).toEqual(c.tag_values);
    await t.api('DELETE', `/contacts/${c.id}.json`);
  });

  it('adds, removes (_destroy) and swaps numbers in one request', async () => {
    const [a, b] = [fresh(), fresh()];
    const c = await createContact([{ number: a }, { number: b }]);
    const [na, nb] = c.contact_numbers;
    const swapped = await t.api('PUT', `/contacts/${c.id}.json`, {
      contact_numbers_attributes: [
        { id: na.id, number: b },
        { id: nb.id, number: a },
      ],
    });
    expect(swapped.status, JSON.stringify(swapped.body)).toBe(200);
    expect(swapped.body.contact.contact_numbers.map((n: any) => [n.id, n.number])).toEqual([
      [na.id, b],
      [nb.id, a],
    ]);
    const added = fresh();
    const res = await t.api('PUT', `/contacts/${c.id}.json`, {
      contact_numbers_attributes: [
        { id: na.id, _destroy: true },
        { number: added, description: 'New' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.contact.contact_numbers.map((n: any) => n.number)).toEqual([a, added]);
  });

  it('tag_list replaces the tags; blank clears them; absent leaves them', async () => {
    const c = await createContact([{ number: fresh() }], '<<<a:1>>>');
    const replaced = await t.api('PUT', `/contacts/${c.id}.json`, { tag_list: '<<<b:2>>>,<<<c:3>>>' });
    expect(replaced.body.contact.tag_values.map((v: any) => v.key)).toEqual(['b', 'c']);
    const untouched = await t.api('PUT', `/contacts/${c.id}.json`, { contact: {} });
    expect(untouched.body.contact.tag_values.map((v: any) => v.key)).toEqual(['b', 'c']);
    const cleared = await t.api('PUT', `/contacts/${c.id}.json`, { tag_list: '' });
    expect(cleared.body.contact.tag_values).toEqual([]);
  });

  it("refuses to remove the last number, to reuse another contact's number, or to touch a foreign number id; writes nothing", async () => {
    const other = await createContact([{ number: fresh() }]);
    const c = await createContact([{ number: fresh() }], '<<<keep:me>>>');
    const own = c.contact_numbers[0];
    const attempts: [unknown, string][] = [
      [
        { contact_numbers_attributes: [{ id: own.id, _destroy: true }], tag_list: '' },
        'contact_numbers_attributes',
      ],
      [
        { contact_numbers_attributes: [{ id: own.id, number: other.contact_numbers[0].number }] },
        'contact_numbers_attributes.0.number',
      ],
      [
        { contact_numbers_attributes: [{ id: other.contact_numbers[0].id, number: fresh() }] },
        'contact_numbers_attributes.0.id',
      ],
      [{ contact_numbers_attributes: [{ id: own.id, number: '' }] }, 'contact_numbers_attributes.0.number'],
      [
        { contact_numbers_attributes: [{ id: own.id, _destroy: 'maybe' }] },
        'contact_numbers_attributes.0._destroy',
      ],
    ];
    for (const [body, field] of attempts) {
      const res = await t.api('PUT', `/contacts/${c.id}.json`, { contact: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.body.errors), JSON.stringify(res.body)).toContain(field);
    }
    expect((await t.api('GET', `/contacts/${c.id}.json`)).body).toEqual({ contact: c });
  });
});

describe('Contacts: delete and tenancy', () => {
  it('deletes the contact with its numbers; 410 afterwards; the number is free again', async () => {
    const n = fresh();
    const c = await createContact([{ number: n }], '<<<x:y>>>');
    const res = await t.api('DELETE', `/contacts/${c.id}.json`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ contact: c });
    expect((await t.api('GET', `/contacts/${c.id}.json`)).status).toBe(410);
    expect((await t.api('PUT', `/contacts/${c.id}.json`, { tag_list: '' })).status).toBe(410);
    expect(
      await db().selectFrom('contact_numbers').select('id').where('contact_id', '=', c.id).execute(),
    ).toEqual([]);
    expect(
      await db()
        .selectFrom('tag_values')
        .select('id')
        .where('owner_type', '=', 'contact')
        .where('owner_id', '=', c.id)
        .execute(),
    ).toEqual([]);
    expect((await t.api('GET', `/contact_numbers/${n}/contact.json`)).status).toBe(404);
    await createContact([{ number: n }]);
  });

  it("answers 404 for another company's contacts and numbers, and lets it use the same number", async () => {
    const n = fresh();
    const mine = await createContact([{ number: n }]);
    const other = await t.addTenant();
    expect((await t.api('GET', `/contacts/${mine.id}.json`, undefined, { key: other.key })).status).toBe(404);
    expect(
      (await t.api('PUT', `/contacts/${mine.id}.json`, { tag_list: '' }, { key: other.key })).status,
    ).toBe(404);
    expect((await t.api('DELETE', `/contacts/${mine.id}.json`, undefined, { key: other.key })).status).toBe(
      404,
    );
    expect(
      (await t.api('GET', `/contact_numbers/${n}/contact.json`, undefined, { key: other.key })).status,
    ).toBe(404);
    expect((await t.api('DELETE', `/contact_numbers/${n}.json`, undefined, { key: other.key })).status).toBe(
      404,
    );
    const list = await t.api('GET', '/contacts.json', undefined, { key: other.key });
    expect(list.body).toEqual([]);
    const theirs = await t.api(
      'POST',
      '/contacts.json',
      { contact_numbers_attributes: [{ number: n }] },
      { key: other.key },
    );
    expect(theirs.status).toBe(201);
    expect((await t.api('GET', `/contacts/${mine.id}.json`)).status).toBe(200);
  });
});

describe('Contacts by phone number', () => {
  it('finds the contact by +1…, 1… and %2B1… forms of the number', async () => {
    const c = await createContact([{ number: '+18001234567', description: 'Landline' }]);
    for (const form of ['+18001234567', '18001234567', '%2B18001234567', '8001234567']) {
      const res = await t.api('GET', `/contact_numbers/${form}/contact.json`);
      expect(res.status, form).toBe(200);
      expect(res.body.contact.id).toBe(c.id);
    }
    expect((await t.api('GET', '/contact_numbers/+18885550000/contact.json')).status).toBe(404);
    expect((await t.api('GET', '/contact_numbers/garbage/contact.json')).status).toBe(404);
    await t.api('DELETE', `/contacts/${c.id}.json`);
  });

  it('updates the contact by number (the seed example) and deletes it by number', async () => {
    const n = fresh();
    const c = await createContact([{ number: n, description: 'Landline' }], '<<<name:Retreaver Support>>>');
    const res = await t.api('PUT', `/contact_numbers/${n}/contact.json`, {
      contact: { tag_list: '<<<name:Invalid Number>>>' },
    });
    expect(res.status).toBe(200);
    expect(res.body.contact.tag_values).toMatchObject([
      { key: 'name', value: 'Invalid Number', operator: '==' },
    ]);
    expect(res.body.contact.tag_values[0].id).not.toBe(c.tag_values[0].id);
    const bad = await t.api('PUT', `/contact_numbers/${n}/contact.json`, { contact: { tag_list: 'oops' } });
    expect(bad.status).toBe(400);
    const del = await t.api('DELETE', `/contact_numbers/${n}/contact.json`);
    expect(del.status).toBe(200);
    expect(del.body.contact.id).toBe(c.id);
    expect((await t.api('GET', `/contacts/${c.id}.json`)).status).toBe(410);
  });
});
