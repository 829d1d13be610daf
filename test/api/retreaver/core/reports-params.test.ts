import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const OK = 'domain=calls&facet=publisher&created_at_start=2024-10-25&created_at_end=2024-10-28';

async function bad(query: string) {
  const res = await t.api('GET', `/api/v1/reports.json?${query}`);
  expect(res.status, res.text).toBe(400);
  expect(res.body.status).toBe(400);
  expect(typeof res.body.error).toBe('string');
  return res.body.errors as Record<string, string[]>;
}

describe('GET /api/v1/reports: parameter validation (400 in the Core API error shape)', () => {
  it('accepts the seed’s parameters', async () => {
    const res = await t.api('GET', `/api/v1/reports.json?${OK}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ count: 0, count_total: 0, data: [] });
  });

  it('requires domain, and knows only calls', async () => {
    expect((await bad(OK.replace('domain=calls&', ''))).domain).toEqual(["can't be blank"]);
    expect((await bad(OK.replace('domain=calls', 'domain=leads'))).domain).toEqual([
      '"leads" is not a report domain; the only domain is calls',
    ]);
  });

  it('requires facet, one of the six', async () => {
    expect((await bad(OK.replace('facet=publisher&', ''))).facet).toEqual(["can't be blank"]);
    expect((await bad(OK.replace('facet=publisher', 'facet=affiliate'))).facet).toEqual([
      '"affiliate" is not a facet; use one of publisher, buyer, campaign, number, daily, tag_value',
    ]);
  });

  it('requires both ends of the range, as dates or RFC 3339 times', async () => {
    const errs = await bad('domain=calls&facet=daily');
    expect(errs.created_at_start).toEqual(["can't be blank"]);
    expect(errs.created_at_end).toEqual(["can't be blank"]);
    for (const v of ['yesterday', '2024-02-30', '2024-10-25T25:00:00Z']) {
      expect((await bad(OK.replace('2024-10-25', encodeURIComponent(v)))).created_at_start).toEqual([
        'is not a date (YYYY-MM-DD) or an RFC 3339 time (YYYY-MM-DDTHH:MM:SS+HH:MM)',
      ]);
    }
  });

  it('requires the start before the end', async () => {
    const same = 'domain=calls&facet=daily&created_at_start=2024-10-25&created_at_end=2024-10-25';
    expect((await bad(same)).created_at_start).toEqual(['must be before created_at_end']);
    const reversed = 'domain=calls&facet=daily&created_at_start=2024-10-28&created_at_end=2024-10-25';
    const res = await t.api('GET', `/api/v1/reports.json?${reversed}`);
    expect(res.body.error).toBe('created_at_start must be before created_at_end');
  });

  it('requires the two less than 2 years apart', async () => {
    const two = 'domain=calls&facet=daily&created_at_start=2023-01-01&created_at_end=2025-01-01';
    expect((await bad(two)).created_at_end).toEqual(['must be less than 2 years after created_at_start']);
    const under = 'domain=calls&facet=daily&created_at_start=2023-01-01&created_at_end=2024-12-31T23:59:59Z';
    expect((await t.api('GET', `/api/v1/reports.json?${under}`)).status).toBe(200);
  });

  it('checks page and per_page', async () => {
    expect((await bad(`${OK}&page=0`)).page).toEqual(['must be a whole number from 1']);
    expect((await bad(`${OK}&page=x`)).page).toEqual(['must be a whole number from 1']);
    expect((await bad(`${OK}&per_page=0`)).per_page).toEqual(['must be a whole number from 1 to 10000']);
    expect((await bad(`${OK}&per_page=10001`)).per_page).toEqual(['must be a whole number from 1 to 10000']);
    expect((await t.api('GET', `/api/v1/reports.json?${OK}&per_page=10000&page=3`)).status).toBe(200);
  });

  it('takes tag_value_key only with facet tag_value', async () => {
    expect((await bad(`${OK}&tag_value_key=utm_campaign`)).tag_value_key).toEqual([
      'is only used with facet tag_value',
    ]);
  });

  it('names every bad parameter at once', async () => {
    const errs = await bad('domain=x&facet=y&created_at_start=z&page=-1');
    expect(Object.keys(errs).sort()).toEqual([
      'created_at_end',
      'created_at_start',
      'domain',
      'facet',
      'page',
    ]);
  });

  it('answers XML errors in the Core XML error shape', async () => {
    const res = await t.api('GET', '/api/v1/reports.xml?domain=calls&facet=nope');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<status type="integer">400</status>');
    expect(res.text).toContain('is not a facet');
  });

  it('needs an API key (401) and survives NUL bytes and huge values without a 5xx', async () => {
    expect((await t.api('GET', `/api/v1/reports.json?${OK}`, undefined, { key: null })).status).toBe(401);
    for (const q of [
      `${OK}&tag_value_key=a%00b`.replace('facet=publisher', 'facet=tag_value'),
      OK.replace('facet=publisher', 'facet=pub%00lisher'),
      OK.replace('2024-10-25', '999999-01-01'),
      `${OK}&page=99999999999999999999`,
    ]) {
      const res = await t.api('GET', `/api/v1/reports.json?${q}`);
      expect(res.status, `${q}: ${res.text}`).toBeLessThan(500);
    }
  });

  it('is not for writing: POST answers 405', async () => {
    expect((await t.api('POST', `/api/v1/reports.json?${OK}`, {})).status).toBe(405);
  });
});
