import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from '../../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../../helpers/app.js';
import { call, expectedMetrics, expectRow, insertCalls, type MadeCall, prng } from './report-calls.js';

const ZONE = 'America/New_York';
/** Local midnight in New York of a date; DST starts on 2025-03-09, inside the data. */
const local = (date: string, hour = 0, minute = 0) =>
  DateTime.fromISO(date, { zone: ZONE }).set({ hour, minute }).toMillis();
const localDate = (ms: number) => DateTime.fromMillis(ms, { zone: ZONE }).toISODate()!;

let t: TestApp;
const made: MadeCall[] = [];
const pubs: { id: number; name: string }[] = [];
const buyers: { id: number; name: string }[] = [];
const campaigns: { id: number; name: string }[] = [];
const numbers: { id: number; number: string }[] = [];

async function report(query: string, opts: { key?: string } = {}) {
  const res = await t.api('GET', `/api/v1/reports.json?domain=calls&${query}`, undefined, opts);
  expect(res.status, res.text).toBe(200);
  return res.body as { count: number; count_total: number; data: any[] };
}

beforeAll(async () => {
  t = await createTestApp();
  // After the calls' days: whole days are summed into blocks of days (today and later stay single days).
  t.clock.set(Date.UTC(2025, 3, 1));
  const tz = await t.api('PUT', `/companies/${t.companyId}.json`, {
    company: { time_zone: 'Eastern Time (US & Canada)' },
  });
  expect(tz.status, tz.text).toBe(200);
  for (const [afid, first] of [
    ['a1', 'Ann'],
    ['a2', 'Bob'],
    ['a3', 'Cy'],
  ]) {
    const a = await create(t, '/affiliates', 'affiliate', { afid, first_name: first, last_name: 'Pub' });
    pubs.push({ id: a.id, name: `${first} Pub` });
  }
  for (const [name, number] of [
    ['Buyer One', '+14155550101'],
    ['Buyer Two', '+14155550102'],
  ]) {
    const b = await create(t, '/targets', 'target', { name, number });
    buyers.push({ id: b.id, name });
  }
  for (const cid of ['c1', 'c2']) {
    const c = await create(t, '/campaigns', 'campaign', {
      name: `Campaign ${cid}`,
      cid,
      timers_attributes: [],
    });
    campaigns.push({ id: c.id, name: c.name });
    const n = await create(t, '/numbers', 'number', { cid, afid: 'a1' });
    numbers.push({ id: n.id, number: n.number });
  }
  const tag = await create(t, '/tags', 'tag', { key: 'utm_campaign' });
  expect((await t.api('POST', `/tags/${tag.id}/reindex.json`)).status).toBe(200);

  const rand = prng(14);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const start = local('2025-03-07');
  const span = local('2025-03-12') - start;
  for (let i = 0; i < 400; i++) {
    const inProgress = rand() < 0.06;
    const buyer = rand() < 0.8 ? pick(buyers) : null;
    const connected = buyer && !inProgress && rand() < 0.85 ? 1 : 0;
    const converted = connected && rand() < 0.3 ? 1 : 0;
    const total = inProgress ? 0 : 5 + Math.floor(rand() * 400);
    const n = pick([0, 1]);
    const tags: Record<string, string> = { geo: pick(['301,us', '415,us']) };
    if (rand() < 0.6) tags.utm_campaign = pick(['ret_campaign_123', 'ret_campaign_456', 'spring']);
    if (rand() < 0.5) tags.junk = String(i);
    made.push(
      call({
        company_id: t.companyId,
        created_at: start + Math.floor(rand() * span),
        status: inProgress ? 'in-progress' : buyer ? 'finished' : 'no-target',
        affiliate_id: rand() < 0.9 ? pick(pubs).id : null,
        target_id: buyer?.id ?? null,
        campaign_id: campaigns[n].id,
        number_id: numbers[n].id,
        number: numbers[n].number,
        repeat: rand() < 0.3 ? 1 : 0,
        duplicate: rand() < 0.1 ? 1 : 0,
        converted,
        rescued: converted && rand() < 0.3 ? 1 : 0,
        connected,
        revenue: converted ? Math.round(rand() * 5000) / 100 : null,
        payout: converted ? Math.round(rand() * 2000) / 100 : null,
        charge_total: inProgress ? 0 : Math.ceil(total / 60) * 0.05,
        total_duration: total,
        dialed_call_duration: connected ? Math.max(0, total - 3 - Math.floor(rand() * 3)) : 0,
        tags,
      }),
    );
  }
  await insertCalls(t, made);
  // Another company's calls on the same days: never in our reports.
  const other = await t.addTenant();
  await insertCalls(
    t,
    made.slice(0, 50).map((c) => ({ ...c, company_id: other.companyId })),
  );
});
afterAll(async () => t.close());

type Grouper = (c: MadeCall) => (string | number | null)[];
const FACETS: Record<string, { group: Grouper; name: (id: any) => string }> = {
  publisher: {
    group: (c) => [c.affiliate_id],
    name: (id) => pubs.find((p) => p.id === id)?.name ?? '(none)',
  },
  buyer: { group: (c) => [c.target_id], name: (id) => buyers.find((b) => b.id === id)?.name ?? '(none)' },
  campaign: {
    group: (c) => [c.campaign_id],
    name: (id) => campaigns.find((x) => x.id === id)?.name ?? '(none)',
  },
  number: { group: (c) => [c.number_id], name: (id) => numbers.find((x) => x.id === id)?.number ?? '(none)' },
  daily: { group: (c) => [localDate(c.created_at)], name: (id) => id },
  // Without tag_value_key: one row per reported tag key (created utm_campaign, system geo; not junk).
  tag_value: {
    group: (c) => Object.keys(c.tags).filter((k) => k !== 'junk'),
    name: (id) => id,
  },
};

function expectedRows(from: number, to: number, group: Grouper) {
  const groups = new Map<string | number | null, MadeCall[]>();
  for (const c of made) {
    if (c.created_at < from || c.created_at >= to) continue;
    for (const key of group(c)) groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return groups;
}

function checkFacet(
  body: { count: number; count_total: number; data: any[] },
  facet: string,
  from: number,
  to: number,
) {
  const { group, name } = FACETS[facet];
  const groups = expectedRows(from, to, group);
  expect(body.data.map((r) => r.id).sort()).toEqual([...groups.keys()].sort());
  let calls = 0;
  for (const row of body.data) {
    const list = groups.get(row.id)!;
    expect(row.facet_name).toBe(name(row.id));
    expectRow(row, expectedMetrics(list), `${facet} ${row.id}`);
    calls += list.length;
  }
  expect(body.count).toBe(calls);
  expect(body.count_total).toBe(calls);
}

describe('GET /api/v1/reports.json: facets and metrics', () => {
  const ranges: [string, string, number, number][] = [
    [
      'whole days',
      'created_at_start=2025-03-07&created_at_end=2025-03-12',
      local('2025-03-07'),
      local('2025-03-12'),
    ],
    [
      'partial days at both ends',
      `created_at_start=2025-03-07T15:30:00-05:00&created_at_end=2025-03-10T06:00:00Z`,
      Date.parse('2025-03-07T15:30:00-05:00'),
      Date.parse('2025-03-10T06:00:00Z'),
    ],
    [
      'within one day',
      'created_at_start=2025-03-09T01:00:00Z&created_at_end=2025-03-09T20:00:00Z',
      Date.parse('2025-03-09T01:00:00Z'),
      Date.parse('2025-03-09T20:00:00Z'),
    ],
  ];
  for (const facet of Object.keys(FACETS)) {
    for (const [label, query, from, to] of ranges) {
      it(`${facet}, ${label}: every metric as computed from the calls`, async () => {
        const body = await report(`facet=${facet}&${query}&per_page=1000`);
        checkFacet(body, facet, from, to);
        // The second time comes from the day rollups: the same answer.
        expect(await report(`facet=${facet}&${query}&per_page=1000`)).toEqual(body);
      });
    }
  }

  it('tag_value with tag_value_key: one row per value of that tag', async () => {
    const from = local('2025-03-07');
    const to = local('2025-03-12');
    const body = await report(
      'facet=tag_value&tag_value_key=utm_campaign&created_at_start=2025-03-07&created_at_end=2025-03-12',
    );
    const groups = expectedRows(from, to, (c) => (c.tags.utm_campaign ? [c.tags.utm_campaign] : []));
    expect(body.data.map((r) => r.id).sort()).toEqual([...groups.keys()].sort());
    for (const row of body.data) {
      expect(row.facet_name).toBe(row.id);
      expectRow(row, expectedMetrics(groups.get(row.id)!), row.id);
    }
  });

  it('lists the busiest first, rows without the object last, days in date order', async () => {
    const q = 'created_at_start=2025-03-07&created_at_end=2025-03-12&per_page=1000';
    const pubsRows = (await report(`facet=publisher&${q}`)).data;
    const calls = pubsRows.filter((r) => r.id !== null).map((r) => r.total_calls);
    expect(calls).toEqual([...calls].sort((a, b) => b - a));
    expect(pubsRows.at(-1).id).toBeNull();
    expect(pubsRows.at(-1).facet_name).toBe('(none)');
    const days = (await report(`facet=daily&${q}`)).data.map((r) => r.id);
    expect(days).toEqual(['2025-03-07', '2025-03-08', '2025-03-09', '2025-03-10', '2025-03-11']);
  });

  it('shows the seed row fields in the seed order', async () => {
    const row = (await report('facet=campaign&created_at_start=2025-03-07&created_at_end=2025-03-12'))
      .data[0];
    expect(Object.keys(row)).toEqual([
      'id',
      'facet_name',
      'total_calls',
      'repeat_count',
      'duplicate_count',
      'unique_calls',
      'converted_count',
      'revenue',
      'payout',
      'cost',
      'total_duration',
      'total_duration_percent',
      'rescued_count',
      'rescued_revenue',
      'connected_duration',
      'connected_duration_percent',
      'in_progress_count',
      'profit',
      'repeat_count_percent',
      'duplicate_count_percent',
      'converted_count_percent',
      'rescued_count_percent',
      'epc',
      'cpc',
    ]);
  });

  it('follows changes to calls already summed: a call ending, converting, a new call, a moved tag', async () => {
    const q = 'facet=buyer&created_at_start=2025-03-07&created_at_end=2025-03-12&per_page=1000';
    await report(q);
    const db = t.app.store.db;
    // Mar 7–11 is read as the blocks Mar 7–8 and Mar 9–10 and the day Mar 11.
    const blocks = async () =>
      (
        await db
          .selectFrom('report_days')
          .select(['level', 'day'])
          .where('company_id', '=', t.companyId)
          .where('level', '>', 0)
          .orderBy('day')
          .execute()
      ).map((r) => `${r.level}:${r.day}`);
    expect(await blocks()).toEqual(['1:20250307', '1:20250309']);
    const uuids = await insertCalls(t, [
      call({
        company_id: t.companyId,
        created_at: local('2025-03-08', 12),
        status: 'in-progress',
        target_id: buyers[0].id,
        tags: { utm_campaign: 'spring' },
      }),
    ]);
    const live = made.length;
    // A change to Mar 8 makes its blocks stale (the next report applies the change log).
    await t.app.services.reportRollups.ensure(t.companyId, 'America/New_York', 20250309, 20250310);
    expect(await blocks()).toEqual(['1:20250309']);
    made.push(
      call({
        company_id: t.companyId,
        created_at: local('2025-03-08', 12),
        status: 'in-progress',
        target_id: buyers[0].id,
        tags: { utm_campaign: 'spring' },
      }),
    );
    checkFacet(await report(q), 'buyer', local('2025-03-07'), local('2025-03-12'));

    // The engine finishes the call: it connected, converted, cost money.
    const ended = {
      status: 'finished',
      connected: 1 as const,
      converted: 1 as const,
      revenue: 12.5,
      payout: 4.25,
      charge_total: 0.1,
      total_duration: 90,
      dialed_call_duration: 80,
      tags: { utm_campaign: 'autumn' },
    };
    await db
      .updateTable('calls')
      .set({ ...ended, tags: JSON.stringify(ended.tags), updated_at: t.clock.now() })
      .where('uuid', '=', uuids[0])
      .execute();
    made[live] = { ...made[live], ...ended };
    checkFacet(await report(q), 'buyer', local('2025-03-07'), local('2025-03-12'));
    const values = await report(
      'facet=tag_value&tag_value_key=utm_campaign&created_at_start=2025-03-07&created_at_end=2025-03-12',
    );
    expect(values.data.find((r) => r.id === 'autumn')?.total_calls).toBe(1);
  });
});

describe('Report rollups sweeper', () => {
  it('applies logged changes of its own and sums the touched complete days again', async () => {
    const q = 'facet=daily&created_at_start=2025-03-07&created_at_end=2025-03-12&per_page=1000';
    await report(q);
    const db = t.app.store.db;
    const day = 20250310;
    const before = await db
      .selectFrom('report_days')
      .select('computed_at')
      .where('level', '=', 0)
      .where('day', '=', day)
      .executeTakeFirst();
    expect(before).toBeDefined();
    const extra = call({ company_id: t.companyId, created_at: local('2025-03-10', 8), total_duration: 30 });
    await insertCalls(t, [extra]);
    made.push(extra);
    const pending = async () =>
      Number(
        (
          await db
            .selectFrom('report_call_changes')
            .select(db.fn.countAll().as('n'))
            .where('company_id', '=', t.companyId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await pending()).toBeGreaterThan(0);
    await t.app.services.reportRollups.sweep();
    expect(await pending()).toBe(0);
    // The day is complete again (summed by the sweep), and right.
    const row = await db
      .selectFrom('report_rollups')
      .select('total_calls')
      .where('company_id', '=', t.companyId)
      .where('facet', '=', 'daily')
      .where('level', '=', 0)
      .where('day', '=', day)
      .executeTakeFirstOrThrow();
    expect(Number(row.total_calls)).toBe(made.filter((c) => localDate(c.created_at) === '2025-03-10').length);
    checkFacet(await report(q), 'daily', local('2025-03-07'), local('2025-03-12'));
  });
});

describe('GET /api/v1/reports: paging and formats', () => {
  const q = 'facet=publisher&created_at_start=2025-03-07&created_at_end=2025-03-12';

  it('pages rows: count is this page’s calls, count_total all rows’ calls, with Link and X-Total-Count', async () => {
    const all = await report(`${q}&per_page=1000`);
    const res = await t.api('GET', `/api/v1/reports.json?domain=calls&${q}&per_page=2&page=2`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(all.data.slice(2, 4));
    expect(res.body.count).toBe(all.data[2].total_calls + all.data[3].total_calls);
    expect(res.body.count_total).toBe(all.count_total);
    expect(res.headers['x-total-count']).toBe(String(all.data.length));
    expect(String(res.headers.link)).toContain('rel="prev"');
    expect(String(res.headers.link)).toContain('per_page=2');
    const beyond = await report(`${q}&page=99`);
    expect(beyond.data).toEqual([]);
    expect(beyond.count).toBe(0);
    expect(beyond.count_total).toBe(all.count_total);
  });

  it('answers XML like every Core resource', async () => {
    const res = await t.api('GET', `/api/v1/reports.xml?domain=calls&${q}&per_page=1`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/xml');
    expect(res.text).toContain('<report>');
    expect(res.text).toMatch(/<count-total type="integer">\d+<\/count-total>/);
    expect(res.text).toContain('<data type="array">');
    expect(res.text).toMatch(/<datum>\s*<id type="integer">\d+<\/id>\s*<facet-name>/);
  });

  it('answers CSV at /api/v1/reports.csv and for Accept: text/csv, with the same rows', async () => {
    const json = await report(`${q}&per_page=1000`);
    const res = await t.api('GET', `/api/v1/reports.csv?domain=calls&${q}&per_page=1000`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0].split(',')).toEqual(Object.keys(json.data[0]));
    expect(lines).toHaveLength(json.data.length + 1);
    expect(lines[1].split(',')[2]).toBe(String(json.data[0].total_calls));
    const byAccept = await t.api('GET', `/api/v1/reports?domain=calls&${q}&per_page=1000`, undefined, {
      headers: { accept: 'text/csv' },
    });
    expect(byAccept.text).toBe(res.text);
  });

  it('defuses spreadsheet formulas and quotes commas in CSV cells', async () => {
    await insertCalls(t, [
      call({
        company_id: t.companyId,
        created_at: local('2025-03-20', 9),
        tags: { utm_campaign: '=HYPERLINK("x")' },
      }),
      call({ company_id: t.companyId, created_at: local('2025-03-20', 9), tags: { utm_campaign: 'a,b' } }),
    ]);
    const res = await t.api(
      'GET',
      '/api/v1/reports.csv?domain=calls&facet=tag_value&tag_value_key=utm_campaign&created_at_start=2025-03-20&created_at_end=2025-03-21',
    );
    expect(res.text).toContain(`"'=HYPERLINK(""x"")","'=HYPERLINK(""x"")",1,`);
    expect(res.text).toContain('"a,b","a,b",1,');
  });

  it('keeps CSV to the reports: other resources answer .csv with 406', async () => {
    expect((await t.api('GET', '/calls.csv')).status).toBe(406);
  });

  it('errors on a CSV request come as JSON in the Core error shape', async () => {
    const res = await t.api(
      'GET',
      '/api/v1/reports.csv?domain=calls&facet=nope&created_at_start=2025-03-07&created_at_end=2025-03-12',
    );
    expect(res.status).toBe(400);
    expect(res.body.errors.facet[0]).toContain('"nope" is not a facet');
  });
});
