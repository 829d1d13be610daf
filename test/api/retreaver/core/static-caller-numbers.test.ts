import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const db = () => t.app.store.db;
const live = () =>
  db()
    .selectFrom('static_caller_numbers')
    .selectAll()
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();

describe('Static Caller Numbers', () => {
  it('creates from the seed body, answers 201 with id, number and created_at', async () => {
    await t.clock.advance(1_000);
    const res = await t.api('POST', '/static_caller_numbers.json', {
      static_caller_number: { number: '+18668987878' },
    });
    expect(res.status).toBe(201);
    const [row] = await live();
    expect(res.body).toEqual({
      static_caller_number: {
        id: row.id,
        number: '+18668987878',
        created_at: new Date(t.clock.now()).toISOString(),
      },
    });
  });

  it('normalizes the number and accepts a bare body', async () => {
    const res = await t.api('POST', '/static_caller_numbers.json', { number: '(212) 555-0199' });
    expect(res.status).toBe(201);
    expect(res.body.static_caller_number.number).toBe('+12125550199');
  });

  it('accepts an XML body and lists in JSON and XML', async () => {
    const created = await t.api('POST', '/static_caller_numbers.xml', undefined, {
      headers: { 'content-type': 'text/xml' },
      rawBody: '<static-caller-number><number>+13125550100</number></static-caller-number>',
    });
    expect(created.status).toBe(201);
    expect(created.text).toContain('<number>+13125550100</number>');
    const list = await t.api('GET', '/static_caller_numbers.json');
    expect(list.body.map((s: any) => s.static_caller_number.number)).toEqual(
      (await live()).map((r) => r.number),
    );
    const xml = await t.api('GET', '/static_caller_numbers.xml');
    expect(xml.text).toContain('<static-caller-numbers type="array">');
    expect(xml.text).toContain('<static-caller-number>');
    expect(xml.text).toMatch(/<created-at type="datetime">/);
  });

  it('refuses missing, bad, duplicate numbers, wrong types and unknown fields; writes nothing', async () => {
    const before = await live();
    const cases: [unknown, string][] = [
      [{ static_caller_number: {} }, 'number'],
      [{ static_caller_number: { number: '' } }, 'number'],
      [{ static_caller_number: { number: null } }, 'number'],
      [{ static_caller_number: { number: 'sip:a@b.example' } }, 'number'],
      [{ static_caller_number: { number: '12' } }, 'number'],
      [{ static_caller_number: { number: '8668987878' } }, 'number'],
      [{ static_caller_number: { number: { n: 1 } } }, 'number'],
      [{ static_caller_number: { number: '+14155550100', label: 'x' } }, 'label'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api('POST', '/static_caller_numbers.json', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.body.errors), JSON.stringify(res.body)).toContain(field);
    }
    const dup = await t.api('POST', '/static_caller_numbers.json', { number: '+18668987878' });
    expect(dup.body.errors.number).toEqual(['has already been taken']);
    expect(await live()).toEqual(before);
  });

  it('deletes by id, then 410; the number can be added again', async () => {
    const c = (await t.api('POST', '/static_caller_numbers.json', { number: '+14155550101' })).body
      .static_caller_number;
    const res = await t.api('DELETE', `/static_caller_numbers/${c.id}.json`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ static_caller_number: c });
    expect((await t.api('DELETE', `/static_caller_numbers/${c.id}.json`)).status).toBe(410);
    expect((await live()).map((r) => r.id)).not.toContain(c.id);
    expect((await t.api('POST', '/static_caller_numbers.json', { number: '+14155550101' })).status).toBe(201);
    expect((await t.api('DELETE', '/static_caller_numbers/999999.json')).status).toBe(404);
    expect((await t.api('DELETE', '/static_caller_numbers/abc.json')).status).toBe(400);
  });

  it("keeps tenants apart: another company's ids are 404 and its numbers are its own", async () => {
    const other = await t.addTenant();
    const [mine] = await live();
    expect(
      (await t.api('DELETE', `/static_caller_numbers/${mine.id}.json`, undefined, { key: other.key })).status,
    ).toBe(404);
    expect((await t.api('GET', '/static_caller_numbers.json', undefined, { key: other.key })).body).toEqual(
      [],
    );
    expect(
      (await t.api('POST', '/static_caller_numbers.json', { number: mine.number }, { key: other.key }))
        .status,
    ).toBe(201);
    expect((await live()).find((r) => r.id === mine.id)).toBeDefined();
  });

  it('paginates past 25 with a Link header', async () => {
    const { key } = await t.addTenant();
    for (let i = 0; i < 26; i++) {
      expect(
        (await t.api('POST', '/static_caller_numbers.json', { number: `+1646555${1000 + i}` }, { key }))
          .status,
      ).toBe(201);
    }
    const page1 = await t.api('GET', '/static_caller_numbers.json', undefined, { key });
    expect(page1.body).toHaveLength(25);
    expect(String(page1.headers.link)).toMatch(/page=2[^>]*>; rel="last"/);
    expect((await t.api('GET', '/static_caller_numbers.json?page=2', undefined, { key })).body).toHaveLength(
      1,
    );
  });
});
