import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const db = () => t.app.store.db;

async function createContact(numbers: { number: string; description?: string }[]) {
  const res = await t.api('POST', '/contacts.json', { contact: { contact_numbers_attributes: numbers } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.contact;
}

describe('Contact Numbers: update by phone number', () => {
  it("changes the number (the seed's example) and keeps the description", async () => {
    const c = await createContact([{ number: '+18001234567', description: 'Landline' }]);
    const id = c.contact_numbers[0].id;
    const res = await t.api('PUT', '/contact_numbers/+18001234567.json', {
      contact_number: { number: '+18005551234' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ contact_number: { number: '+18005551234', description: 'Landline', id } });
    expect((await t.api('GET', '/contact_numbers/+18005551234/contact.json')).body.contact.id).toBe(c.id);
    expect((await t.api('GET', '/contact_numbers/+18001234567/contact.json')).status).toBe(404);
  });

  it('changes the description only, from a bare body, and normalizes a new number', async () => {
    await createContact([{ number: '+12125550101' }]);
    const desc = await t.api('PUT', '/contact_numbers/%2B12125550101.json', { description: 'Mobile' });
    expect(desc.body.contact_number).toMatchObject({ number: '+12125550101', description: 'Mobile' });
    const renumbered = await t.api('PUT', '/contact_numbers/12125550101.json', {
      contact_number: { number: '(212) 555-0102' },
    });
    expect(renumbered.body.contact_number).toMatchObject({ number: '+12125550102', description: 'Mobile' });
  });

  it('answers in XML with dasherized root', async () => {
    await createContact([{ number: '+12125550103' }]);
    const xml = await t.api('PUT', '/contact_numbers/+12125550103.xml', undefined, {
      headers: { 'content-type': 'application/xml' },
      rawBody: '<contact-number><description>Work</description></contact-number>',
    });
    expect(xml.status).toBe(200);
    expect(xml.text).toContain('<contact-number>');
    expect(xml.text).toContain('<description>Work</description>');
  });

  it('refuses a bad number, a taken number, wrong types and unknown fields; writes nothing', async () => {
    await createContact([{ number: '+12125550104', description: 'Keep' }]);
    await createContact([{ number: '+12125550105' }]);
    const cases: [unknown, string][] = [
      [{ contact_number: { number: 'abc' } }, 'number'],
      [{ contact_number: { number: '' } }, 'number'],
      [{ contact_number: { number: '+12125550105' } }, 'number'],
      [{ contact_number: { description: { text: 'x' } } }, 'description'],
      [{ contact_number: { colour: 'red' } }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api('PUT', '/contact_numbers/+12125550104.json', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.body.errors), JSON.stringify(res.body)).toContain(field);
    }
    const row = await db()
      .selectFrom('contact_numbers')
      .selectAll()
      .where('number', '=', '+12125550104')
      .executeTakeFirstOrThrow();
    expect(row.description).toBe('Keep');
  });

  it('answers 404 for unknown numbers and numbers of another company', async () => {
    await createContact([{ number: '+12125550106' }]);
    const other = await t.addTenant();
    expect((await t.api('PUT', '/contact_numbers/+12125550199.json', { description: 'x' })).status).toBe(404);
    expect(
      (await t.api('PUT', '/contact_numbers/+12125550106.json', { description: 'x' }, { key: other.key }))
        .status,
    ).toBe(404);
  });
});

describe('Contact Numbers: delete by phone number', () => {
  it('removes one number while the contact has more than one', async () => {
    const c = await createContact([
      { number: '+13125550101', description: 'Home' },
      { number: '+13125550102' },
    ]);
    const res = await t.api('DELETE', '/contact_numbers/+13125550101.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ contact_number: c.contact_numbers[0] });
    const after = await t.api('GET', `/contacts/${c.id}.json`);
    expect(after.body.contact.contact_numbers).toEqual([c.contact_numbers[1]]);
  });

  it("refuses to remove a contact's last number with a clear 400", async () => {
    const c = await createContact([{ number: '+13125550103' }]);
    const res = await t.api('DELETE', '/contact_numbers/+13125550103.json');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/only number/);
    expect((await t.api('GET', `/contacts/${c.id}.json`)).body.contact.contact_numbers).toHaveLength(1);
  });

  it('answers 404 for unknown numbers and numbers of another company', async () => {
    await createContact([{ number: '+13125550104' }, { number: '+13125550105' }]);
    const other = await t.addTenant();
    expect((await t.api('DELETE', '/contact_numbers/+13125550199.json')).status).toBe(404);
    expect(
      (await t.api('DELETE', '/contact_numbers/+13125550104.json', undefined, { key: other.key })).status,
    ).toBe(404);
    expect(
      await db().selectFrom('contact_numbers').select('id').where('number', '=', '+13125550104').execute(),
    ).toHaveLength(1);
  });
});
