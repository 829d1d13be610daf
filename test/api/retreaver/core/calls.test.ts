import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRfc3339 } from '../../../../src/services/calls.js';
import { create, simOf } from '../../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

const X = '+13015550123';
const Y = '+13015550456';
const GAP_S = 300;
const iso = (ms: number) => new Date(ms).toISOString();

/** RFC 3339 with an explicit offset, as the seed writes it: 2016-01-01T00:00:00+00:00. */
function rfc3339(ms: number, offsetMin = 0): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
  const abs = Math.abs(offsetMin);
  return `${local}${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

interface Made {
  uuid: string;
  start: number;
}

let t: TestApp;
let T1: any;
let T2: any;
const calls: Made[] = [];
let other: { key: string; companyId: number; uuid: string };

/** Calls 1-4, each answered after 3 s and talked for 65 s, GAP_S apart. */
beforeAll(async () => {
  t = await createTestApp();
  const sim = simOf(t);
  T1 = await create(t, '/targets', 'target', { number: '+14155550101', name: 'One', tid: 't1' });
  T2 = await create(t, '/targets', 'target', { number: '+14155550102', name: 'Two', tid: 't2' });
  await sim.endpoint(T1.number, { answer_after_s: 3 });
  await sim.endpoint(T2.number, { answer_after_s: 3 });
  const c1 = await create(t, '/campaigns', 'campaign', {
    name: 'C1',
    cid: 'c1',
    target_ids: [T1.id],
    timers_attributes: [],
  });
  const c2 = await create(t, '/campaigns', 'campaign', {
    name: 'C2',
    cid: 'c2',
    target_ids: [T2.id],
    timers_attributes: [],
  });
  const n1 = await create(t, '/numbers', 'number', { cid: c1.cid, afid: 'a1', sid: 's1' });
  const n2 = await create(t, '/numbers', 'number', { cid: c1.cid, afid: 'a2', sid: 's2' });
  const n3 = await create(t, '/numbers', 'number', { cid: c2.cid, afid: 'a1' });
  const plan: [string, string][] = [
    [X, n1.number],
    [Y, n2.number],
    [X, n3.number],
    [Y, n1.number],
  ];
  for (const [from, to] of plan) {
    const start = t.clock.now();
    const call = await sim.call(from, to);
    await sim.advance(3);
    await sim.advance(65);
    await sim.hangup(call.id);
    calls.push({ uuid: call.call_uuid, start });
    await sim.advance(GAP_S - 68);
  }
  other = await otherTenantCall();
});
afterAll(async () => t.close());

/** A call of an unrelated company, which no request of ours may see. */
async function otherTenantCall() {
  const tenant = await t.addTenant();
  const api = (url: string, wrap: string, body: object) =>
    t.api('POST', url, { [wrap]: body }, { key: tenant.key });
  const c = (await api('/campaigns.json', 'campaign', { name: 'B', cid: 'c1', timers_attributes: [] })).body
    .campaign;
  const n = (await api('/numbers.json', 'number', { cid: c.cid, afid: 'a1' })).body.number;
  const call = (await t.api('POST', '/sim/calls', { from: X, to: n.number }, { key: tenant.key })).body;
  await t.api('POST', `/sim/calls/${call.id}/hangup`, undefined, { key: tenant.key });
  return { ...tenant, uuid: call.call_uuid as string };
}

async function list(query = '', path = '/calls.json') {
  const res = await t.api('GET', `${path}${query ? `?${query}` : ''}`);
  expect(res.status, res.text).toBe(200);
  return res.body.map((c: any) => c.call.uuid) as string[];
}

/** Uuids of the calls numbered (1-based) as in the plan. */
const nos = (...n: number[]) => n.map((i) => calls[i - 1].uuid);

describe('Calls V1: representation', () => {
  it('shows every seed field, in order, with values from the call as it happened', async () => {
    const res = await t.api('GET', `/calls/${calls[0].uuid}.json`);
    expect(res.status).toBe(200);
    const start = calls[0].start;
    expect(res.body).toEqual({
      call: {
        uuid: calls[0].uuid,
        caller: X,
        caller_zip: null,
        caller_state: null,
        caller_city: null,
        caller_country: 'US',
        dialed_call_duration: 65,
        total_duration: 68,
        status: 'finished',
        start_time: iso(start),
        forwarded_time: iso(start),
        end_time: iso(start + 68_000),
        cid: 'c1',
        afid: 'a1',
        sid: 's1',
        dialed_number: T1.number,
        updated_at: iso(start + 68_000),
        created_at: iso(start),
        recording_url: null,
      },
    });
    // The seed's V1 example, key for key.
    expect(Object.keys(res.body.call).join(' ')).toBe(
      'uuid caller caller_zip caller_state caller_city caller_country dialed_call_duration total_duration status ' +
        'start_time forwarded_time end_time cid afid sid dialed_number updated_at created_at recording_url',
    );
  });

  it('lists calls in the same shape as the single call', async () => {
    const res = await t.api('GET', '/calls.json?order=asc');
    const one = await t.api('GET', `/calls/${calls[0].uuid}.json`);
    expect(res.body[0]).toEqual(one.body);
    expect(res.body.map((c: any) => c.call.dialed_number)).toEqual([
      T1.number,
      T1.number,
      T2.number,
      T1.number,
    ]);
  });

  it('answers XML with typed elements', async () => {
    const one = await t.api('GET', `/calls/${calls[0].uuid}.xml`);
    expect(one.headers['content-type']).toContain('text/xml');
    expect(one.text).toContain(`<uuid>${calls[0].uuid}</uuid>`);
    expect(one.text).toContain('<dialed-call-duration type="integer">65</dialed-call-duration>');
    expect(one.text).toContain(`<start-time type="datetime">${iso(calls[0].start)}</start-time>`);
    expect(one.text).toContain('<recording-url nil="true"');
    const many = await t.api('GET', '/calls.xml');
    expect(many.text).toContain('<calls type="array">');
    expect(many.text.match(/<call>/g)).toHaveLength(4);
    expect(many.headers.link).toBeDefined();
  });

  it("answers 404 for an unknown uuid and for another company's call", async () => {
    for (const uuid of ['nope', '00000000-0000-0000-0000-000000000000', other.uuid]) {
      const res = await t.api('GET', `/calls/${uuid}.json`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ status: 404, error: 'Not Found' });
    }
    const theirs = await t.api('GET', `/calls/${other.uuid}.json`, undefined, { key: other.key });
    expect(theirs.body.call.uuid).toBe(other.uuid);
  });
});

describe('Calls V1: company_id, sort_by and order', () => {
  it("lists only the company's calls; company_id selects one the key reaches, others are 403", async () => {
    expect(await list()).toHaveLength(4);
    expect(await list(`company_id=${t.companyId}`)).toHaveLength(4);
    const theirs = await t.api('GET', '/calls.json', undefined, { key: other.key });
    expect(theirs.body.map((c: any) => c.call.uuid)).toEqual([other.uuid]);
    expect((await t.api('GET', '/calls.json', undefined, { companyId: other.companyId })).status).toBe(403);
  });

  it('defaults to created_at, newest first; order=asc reverses it', async () => {
    expect(await list()).toEqual(nos(4, 3, 2, 1));
    expect(await list('sort_by=created_at&order=desc')).toEqual(nos(4, 3, 2, 1));
    expect(await list('sort_by=created_at&order=asc')).toEqual(nos(1, 2, 3, 4));
    expect(await list('order=asc')).toEqual(nos(1, 2, 3, 4));
  });

  it('sort_by=updated_at is always newest first, even with order=asc', async () => {
    // Call 2 changes last (a late conversion, say), so it leads the updated_at order.
    await t.app.store.db
      .updateTable('calls')
      .set({ updated_at: t.clock.now() })
      .where('uuid', '=', calls[1].uuid)
      .execute();
    expect(await list('sort_by=updated_at')).toEqual(nos(2, 4, 3, 1));
    expect(await list('sort_by=updated_at&order=asc')).toEqual(nos(2, 4, 3, 1));
  });

  it('refuses other sort_by and order values with 400', async () => {
    for (const q of ['sort_by=uuid', 'sort_by=', 'order=up', 'order=ASCENDING']) {
      const res = await t.api('GET', `/calls.json?${q}`);
      if (q === 'sort_by=') {
        expect(res.status).toBe(200); // blank is the default
        continue;
      }
      expect(res.status, q).toBe(400);
      expect(res.body.status).toBe(400);
      expect(Object.keys(res.body.errors)).toEqual([q.split('=')[0]]);
    }
  });
});

describe('Calls V1: created_at range', () => {
  it('keeps calls created at or after the start and before the end', async () => {
    const [, c2, , c4] = calls;
    expect(await list(`created_at_start=${encodeURIComponent(rfc3339(c2.start))}`)).toEqual(nos(4, 3, 2));
    expect(await list(`created_at_end=${encodeURIComponent(rfc3339(c4.start))}`)).toEqual(nos(3, 2, 1));
    const range = `created_at_start=${encodeURIComponent(rfc3339(c2.start))}&created_at_end=${encodeURIComponent(rfc3339(c4.start))}`;
    expect(await list(range)).toEqual(nos(3, 2));
  });

  it('reads offsets, Z, fractions, and a + that arrived unencoded as a space', async () => {
    const c2 = calls[1].start;
    expect(await list(`created_at_start=${rfc3339(c2)}`)).toEqual(nos(4, 3, 2)); // raw +00:00
    expect(await list(`created_at_start=${rfc3339(c2, -300)}`)).toEqual(nos(4, 3, 2)); // -05:00
    expect(await list(`created_at_start=${rfc3339(c2, 330)}`)).toEqual(nos(4, 3, 2)); // raw +05:30
    expect(await list(`created_at_start=${encodeURIComponent(rfc3339(c2 + 1, 0))}`)).toEqual(nos(4, 3, 2)); // second precision
    expect(await list(`created_at_start=${iso(c2 + 1)}`)).toEqual(nos(4, 3)); // …Z with milliseconds
  });

  it('defaults to no bound at all: -4712-01-01 to 4712-01-01', async () => {
    const q = 'created_at_start=-4712-01-01T00:00:00+00:00&created_at_end=4712-01-01T00:00:00%2B00:00';
    expect(await list(q)).toEqual(nos(4, 3, 2, 1));
    expect(await list('created_at_start=&created_at_end=')).toEqual(nos(4, 3, 2, 1));
    expect(await list('created_at_end=2016-01-02T00:00:00+00:00')).toEqual([]);
  });

  it('refuses malformed and impossible times with 400 naming the parameter', async () => {
    for (const bad of [
      'yesterday',
      '2016-13-01T00:00:00Z',
      '2016-02-30T00:00:00Z',
      '2016-01-01T25:00:00Z',
      '2016-01-01T00:00:00+24:00',
    ]) {
      const res = await t.api('GET', `/calls.json?created_at_start=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.errors.created_at_start).toHaveLength(1);
    }
    const both = await t.api('GET', '/calls.json?created_at_start=x&created_at_end=y&order=z');
    expect(Object.keys(both.body.errors).sort()).toEqual(['created_at_end', 'created_at_start', 'order']);
  });

  it('parses RFC 3339 to the millisecond', () => {
    expect(parseRfc3339('2016-01-01T00:00:00+00:00')).toBe(Date.UTC(2016, 0, 1));
    expect(parseRfc3339('2016-01-01T00:00:00 00:00')).toBe(Date.UTC(2016, 0, 1));
    expect(parseRfc3339('2016-01-01T00:00:00-05:00')).toBe(Date.UTC(2016, 0, 1, 5));
    expect(parseRfc3339('2016-01-01t10:20:30.123456z')).toBe(Date.UTC(2016, 0, 1, 10, 20, 30, 123));
    expect(parseRfc3339('2016-01-01')).toBe(Date.UTC(2016, 0, 1));
    expect(parseRfc3339('-4712-01-01T00:00:00+00:00')).toBeLessThan(Date.UTC(-4000, 0, 1));
    expect(parseRfc3339('2016-01-01T00:00:00+0530')).toBe(Date.UTC(2015, 11, 31, 18, 30));
    expect(parseRfc3339('2016-1-1')).toBeUndefined();
    expect(parseRfc3339('999999-01-01')).toBeUndefined();
  });
});

describe('Calls V1: caller, client_afid, client_cid, client_tid, sub_id', () => {
  it('filters by caller in any spelling of the number', async () => {
    expect(await list('caller=%2B13015550123')).toEqual(nos(3, 1));
    expect(await list('caller=+13015550123')).toEqual(nos(3, 1)); // the + arrives as a space
    expect(await list('caller=3015550123')).toEqual(nos(3, 1));
    expect(await list('caller=%2B13015550456')).toEqual(nos(4, 2));
    expect(await list('caller=%2B13015550999')).toEqual([]);
    const bad = await t.api('GET', '/calls.json?caller=nobody');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.caller).toEqual(['is not a valid phone number']);
  });

  it('filters by the affiliate, campaign, target and sub id the call shows', async () => {
    expect(await list('client_afid=a1')).toEqual(nos(4, 3, 1));
    expect(await list('client_afid=a2')).toEqual(nos(2));
    expect(await list('client_cid=c1')).toEqual(nos(4, 2, 1));
    expect(await list('client_cid=c2')).toEqual(nos(3));
    expect(await list('client_tid=t1')).toEqual(nos(4, 2, 1));
    expect(await list('client_tid=t2')).toEqual(nos(3));
    expect(await list('sub_id=s1')).toEqual(nos(4, 1));
    expect(await list('sub_id=s2')).toEqual(nos(2));
    expect(await list('client_cid=nope')).toEqual([]);
    expect(await list('client_cid=')).toEqual(nos(4, 3, 2, 1));
  });

  it('combines every filter with AND, and with the range and order', async () => {
    expect(await list('client_cid=c1&client_afid=a1&order=asc')).toEqual(nos(1, 4));
    expect(await list('client_cid=c1&caller=%2B13015550456&sub_id=s1')).toEqual(nos(4));
    const from = encodeURIComponent(rfc3339(calls[1].start));
    expect(await list(`client_tid=t1&created_at_start=${from}&order=asc`)).toEqual(nos(2, 4));
  });

  it("does not let another company's cid leak its calls", async () => {
    // The other tenant also has a campaign with cid c1 and a1 numbers.
    const ours = await list('client_cid=c1&client_afid=a1');
    expect(ours).not.toContain(other.uuid);
  });
});

/** The counters and 0/1 flags a call row needs, all 0. */
const ZERO_COLUMNS = Object.fromEntries(
  `charge_total ivr_duration hold_duration dialed_call_duration total_duration repeat affiliate_repeat number_repeat
  duplicate payable_duplicate receivable_duplicate connected billable_minutes converted payable receivable rescued`
    .split(/\s+/)
    .map((k) => [k, 0]),
) as Record<
  'charge_total' | 'ivr_duration' | 'hold_duration' | 'dialed_call_duration' | 'total_duration',
  0
> &
  Record<'repeat' | 'affiliate_repeat' | 'number_repeat' | 'duplicate' | 'payable_duplicate', 0> &
  Record<
    | 'receivable_duplicate'
    | 'connected'
    | 'billable_minutes'
    | 'converted'
    | 'payable'
    | 'receivable'
    | 'rescued',
    0
  >;

describe('Calls V1: paging', () => {
  let p: TestApp;
  let seq = 0;
  beforeAll(async () => {
    p = await createTestApp();
  });
  afterAll(async () => p.close());

  /** Bulk rows, as the engine would have written them; many share one created_at millisecond. */
  async function insertCalls(n: number, at: number) {
    const rows = Array.from({ length: n }, () => {
      seq += 1;
      return {
        ...ZERO_COLUMNS,
        uuid: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
        company_id: p.companyId,
        status: 'finished',
        caller: X,
        number: '+18005550000',
        start_time: at,
        keys_pressed: '[]',
        tags: '{}',
        downstream_call_uuids: '[]',
        via: 'inbound-dial',
        created_at: at,
        updated_at: at,
      };
    });
    await p.app.store.db.insertInto('calls').values(rows).execute();
    return rows.map((r) => r.uuid);
  }

  it('pages 25 at a time with Link and X-Total-Count', async () => {
    await insertCalls(60, p.clock.now());
    const first = await p.api('GET', '/calls.json?order=asc');
    expect(first.body).toHaveLength(25);
    expect(first.headers['x-total-count']).toBe('60');
    const link = String(first.headers.link);
    expect(link).toMatch(/page=2[^>]*>; rel="next"/);
    expect(link).toMatch(/page=3[^>]*>; rel="last"/);
    expect(link).toContain('order=asc');
    const third = await p.api('GET', '/calls.json?order=asc&page=3');
    expect(third.body).toHaveLength(10);
    expect(String(third.headers.link)).not.toContain('rel="next"');
    expect((await p.api('GET', '/calls.json?page=9')).body).toEqual([]);
    for (const bad of ['page=0', 'page=x', 'page=-1'])
      expect((await p.api('GET', `/calls.json?${bad}`)).status).toBe(400);
  });

  it('enumerates every call exactly once in created_at asc order while new calls keep arriving', async () => {
    // Tied created_at values everywhere: only the id tie-break keeps offset pages apart.
    await p.clock.advance(1000);
    const before = new Set([...(await listAll()), ...(await insertCalls(40, p.clock.now()))]);
    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const res = await p.api('GET', `/calls.json?sort_by=created_at&order=asc&page=${page}`);
      seen.push(...res.body.map((c: any) => c.call.uuid));
      if (res.body.length < 25) break;
      // Calls arriving between pages: some in the very same millisecond as the newest one.
      await insertCalls(7, p.clock.now());
      if (page % 2) await p.clock.advance(1);
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const uuid of before) expect(seen).toContain(uuid);
    const all = await listAll();
    expect(seen.every((u) => all.includes(u))).toBe(true);
    expect(seen.length).toBeGreaterThan(before.size);
  });

  async function listAll(): Promise<string[]> {
    const rows = await p.app.store.db
      .selectFrom('calls')
      .select('uuid')
      .where('company_id', '=', p.companyId)
      .execute();
    return rows.map((r) => r.uuid);
  }
});
