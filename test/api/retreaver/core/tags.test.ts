import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from '../../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../../helpers/app.js';
import { call, insertCalls } from './report-calls.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const DAY = Date.UTC(2024, 9, 25);
const RANGE = 'created_at_start=2024-10-25&created_at_end=2024-10-28';

async function report(query: string) {
  const res = await t.api('GET', `/api/v1/reports.json?domain=calls&facet=tag_value&${RANGE}&${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

describe('Tags resource', () => {
  it('creates, shows, lists and deletes a tag in the Core API style', async () => {
    t.clock.set(Date.UTC(2024, 9, 20, 12));
    const res = await t.api('POST', '/tags.json', { tag: { key: ' source ' } });
    expect(res.status, res.text).toBe(201);
    const tag = res.body.tag;
    expect(tag).toEqual({
      id: expect.any(Number),
      key: 'source',
      indexed_from: '2024-10-20T12:00:00.000Z',
      reindexed_at: null,
      created_at: '2024-10-20T12:00:00.000Z',
      updated_at: '2024-10-20T12:00:00.000Z',
    });
    expect((await t.api('GET', `/tags/${tag.id}.json`)).body).toEqual({ tag });
    const list = await t.api('GET', '/tags.json');
    expect(list.body).toEqual([{ tag }]);
    expect(list.headers['x-total-count']).toBe('1');
    const xml = await t.api('GET', `/tags/${tag.id}.xml`);
    expect(xml.text).toContain('<key>source</key>');
    const gone = await t.api('DELETE', `/tags/${tag.id}.json`);
    expect(gone.body).toEqual({ tag });
    expect((await t.api('GET', `/tags/${tag.id}.json`)).status).toBe(404);
    expect((await t.api('DELETE', `/tags/${tag.id}.json`)).status).toBe(404);
  });

  it('refuses a blank, malformed, taken or system key (400) and unknown attributes', async () => {
    const errs = async (body: unknown) => {
      const res = await t.api('POST', '/tags.json', body);
      expect(res.status, res.text).toBe(400);
      return res.body.errors;
    };
    expect((await errs({ tag: {} })).key).toEqual(["can't be blank"]);
    expect((await errs({ tag: { key: '  ' } })).key).toEqual(["can't be blank"]);
    expect((await errs({ tag: { key: 'a:b' } })).key[0]).toContain('without ":"');
    // NUL is refused at the edge for every resource (its field is named by path); other control characters here.
    expect((await errs({ tag: { key: 'a\u0000b' } }))['tag.key']).toEqual(['must not contain NUL bytes']);
    expect((await errs({ tag: { key: 'a\u0007b' } })).key[0]).toContain('control characters');
    expect((await errs({ tag: { key: 'geo' } })).key).toEqual([
      'is a system tag, always reported (no need to create it)',
    ]);
    await create(t, '/tags', 'tag', { key: 'dup' });
    expect((await errs({ tag: { key: 'dup' } })).key).toEqual(['has already been taken']);
    expect((await errs({ tag: { key: 'x', colour: 'red' } })).colour).toEqual(['is not a known attribute']);
  });

  it('keeps tenants apart: another company’s tag is 404, and the same key is free there', async () => {
    const mine = await create(t, '/tags', 'tag', { key: 'tenant_key' });
    const other = await t.addTenant();
    expect((await t.api('GET', `/tags/${mine.id}.json`, undefined, { key: other.key })).status).toBe(404);
    expect((await t.api('POST', `/tags/${mine.id}/reindex.json`, undefined, { key: other.key })).status).toBe(
      404,
    );
    const theirs = await t.api('POST', '/tags.json', { tag: { key: 'tenant_key' } }, { key: other.key });
    expect(theirs.status).toBe(201);
  });
});

describe('Reports: tag indexing (seed: "Not all tag values are indexed")', () => {
  it('reproduces the seed’s tag_value example exactly', async () => {
    t.clock.set(DAY - 86_400_000);
    await create(t, '/tags', 'tag', { key: 'utm_campaign' });
    // 3 calls of 3, 4 and 4 s, the last two repeats, 0.04 each: the seed's row.
    const base = { company_id: t.companyId, charge_total: 0.04 };
    await insertCalls(t, [
      call({
        ...base,
        created_at: DAY + 3_600_000,
        total_duration: 3,
        tags: { utm_campaign: 'ret_campaign_123' },
      }),
      call({
        ...base,
        created_at: DAY + 7_200_000,
        total_duration: 4,
        repeat: 1,
        tags: { utm_campaign: 'ret_campaign_123' },
      }),
      call({
        ...base,
        created_at: DAY + 86_400_000,
        total_duration: 4,
        repeat: 1,
        tags: { utm_campaign: 'ret_campaign_456' },
      }),
    ]);
    const body = await report('');
    expect(body).toEqual({
      count: 3,
      count_total: 3,
      data: [
        {
          id: 'utm_campaign',
          facet_name: 'utm_campaign',
          total_calls: 3,
          repeat_count: 2.0,
          duplicate_count: 0.0,
          unique_calls: 1.0,
          converted_count: 0.0,
          revenue: 0.0,
          payout: 0.0,
          cost: 0.12,
          total_duration: 3.666666666666667,
          total_duration_percent: 0.4714045207910327,
          rescued_count: 0.0,
          rescued_revenue: 0.0,
          connected_duration: 0.0,
          connected_duration_percent: 0.0,
          in_progress_count: 0.0,
          profit: -0.12,
          repeat_count_percent: 66.66666666666666,
          duplicate_count_percent: 0,
          converted_count_percent: 0,
          rescued_count_percent: 0,
          epc: 0,
          cpc: 0,
        },
      ],
    });
    const values = await report('tag_value_key=utm_campaign');
    expect(values.count).toBe(3);
    expect(values.count_total).toBe(3);
    expect(values.data.map((r: any) => [r.id, r.facet_name, r.total_calls, r.repeat_count])).toEqual([
      ['ret_campaign_123', 'ret_campaign_123', 2, 1],
      ['ret_campaign_456', 'ret_campaign_456', 1, 1],
    ]);
  });

  it('answers an unindexed key with an empty report, and reports system tags without creating them', async () => {
    await insertCalls(t, [
      call({
        company_id: t.companyId,
        created_at: DAY + 4 * 3_600_000,
        tags: { unindexed_tag_value: 'x', geo: '301,us' },
      }),
    ]);
    expect(await report('tag_value_key=unindexed_tag_value')).toEqual({ count: 0, count_total: 0, data: [] });
    const keys = (await report('')).data.map((r: any) => r.id);
    expect(keys).toContain('geo');
    expect(keys).not.toContain('unindexed_tag_value');
    const geo = await report('tag_value_key=geo');
    expect(geo.data.map((r: any) => [r.id, r.total_calls])).toEqual([['301,us', 1]]);
  });

  it('indexes a new tag from its creation on; re-indexing covers past calls; deleting stops it', async () => {
    const key = 'late_key';
    // One call before the tag exists, one after (same day, so the day's rollup must be summed again).
    await insertCalls(t, [
      call({ company_id: t.companyId, created_at: DAY + 5 * 3_600_000, tags: { [key]: 'early' } }),
    ]);
    await report('');
    t.clock.set(DAY + 6 * 3_600_000);
    const tag = await create(t, '/tags', 'tag', { key });
    await insertCalls(t, [
      call({ company_id: t.companyId, created_at: DAY + 7 * 3_600_000, tags: { [key]: 'late' } }),
    ]);
    const since = await report(`tag_value_key=${key}`);
    expect(since.data.map((r: any) => [r.id, r.total_calls])).toEqual([['late', 1]]);

    t.clock.set(DAY + 8 * 3_600_000);
    const re = await t.api('POST', `/tags/${tag.id}/reindex.json`);
    expect(re.status, re.text).toBe(200);
    expect(re.body.tag.indexed_from).toBeNull();
    expect(re.body.tag.reindexed_at).toBe(new Date(DAY + 8 * 3_600_000).toISOString());
    const all = await report(`tag_value_key=${key}`);
    expect(all.data.map((r: any) => [r.id, r.total_calls])).toEqual([
      ['early', 1],
      ['late', 1],
    ]);
    expect((await report('')).data.find((r: any) => r.id === key).total_calls).toBe(2);

    await t.api('DELETE', `/tags/${tag.id}.json`);
    expect((await report(`tag_value_key=${key}`)).data).toEqual([]);
    expect((await report('')).data.map((r: any) => r.id)).not.toContain(key);
    // Created again: from the new moment only, nothing of the first indexing is left.
    t.clock.set(DAY + 9 * 3_600_000);
    await create(t, '/tags', 'tag', { key });
    expect((await report(`tag_value_key=${key}`)).data).toEqual([]);
  });
});

describe('Company time zone (reports’ daily buckets)', () => {
  it('is UTC by default, writable with a seed zone name or IANA zone, and checked', async () => {
    const id = t.companyId;
    expect((await t.api('GET', '/company.json')).body.company.time_zone).toBe('UTC');
    const set = await t.api('PUT', `/companies/${id}.json`, { company: { time_zone: 'America/Chicago' } });
    expect(set.status, set.text).toBe(200);
    expect(set.body.company.time_zone).toBe('Central Time (US & Canada)');
    const bad = await t.api('PUT', `/companies/${id}.json`, { company: { time_zone: 'Mars/Olympus' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.time_zone).toEqual(['"Mars/Olympus" is not a supported time zone']);
  });

  it('cuts days in the company zone, and again when the zone changes', async () => {
    const tenant = await t.addTenant();
    const at = Date.UTC(2024, 10, 5, 3); // 03:00Z = Nov 4th, 22:00 in Chicago
    await insertCalls(t, [call({ company_id: tenant.companyId, created_at: at })]);
    const daily = async () => {
      const res = await t.api(
        'GET',
        '/api/v1/reports.json?domain=calls&facet=daily&created_at_start=2024-11-01&created_at_end=2024-11-10',
        undefined,
        { key: tenant.key },
      );
      return res.body.data.map((r: any) => r.id);
    };
    expect(await daily()).toEqual(['2024-11-05']);
    await t.api(
      'PUT',
      `/companies/${tenant.companyId}.json`,
      { company: { time_zone: 'Central Time (US & Canada)' } },
      { key: tenant.key },
    );
    expect(await daily()).toEqual(['2024-11-04']);
  });
});
