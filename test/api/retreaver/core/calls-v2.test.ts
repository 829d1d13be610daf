import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money, profits } from '../../../../src/api/retreaver/core/present-call.js';
import { create, simOf } from '../../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

const CALLER = '+13015550123';
const OTHER_CALLER = '+12025550188';
const GREETING = 'Thanks for calling. Press one.';
const iso = (ms: number) => new Date(ms).toISOString();

/** The seed's V2 example, key for key. */
const SEED_KEYS = `
  uuid caller caller_number_sent caller_zip caller_state caller_city caller_country
  dialed_call_duration total_duration ivr_duration hold_duration status start_time forwarded_time
  end_time cid afid sid dialed_number revenue payout postback_value network_sale_timer_fired
  affiliate_sale_timer_fired target_sale_timer_fired hung_up_by duplicate payable_duplicate
  receivable_duplicate callpixels_target_id system_target_id system_campaign_id system_affiliate_id
  fired_pixels_count charge_total keys_pressed repeat affiliate_repeat target_repeat number_repeat
  visitor_url company_id conversions_determined_at updated_at created_at billable_minutes
  upstream_call_uuid downstream_call_uuids target_group recording_url number converted payable
  receivable conversion_seconds tid tags fired_pixels via rescued campaign_id campaign_name number_id
  target_id affiliate_name connected profit_gross profit_net target_name time_to_call_in_seconds
  time_to_connect_in_seconds total_cost
`
  .trim()
  .split(/\s+/);

let t: TestApp;
let target: any;
let group: any;
let campaign: any;
let number: any;
let affiliate: any;
/** Connected through the IVR and a target group: 2 s in the menu, 3 s ringing, 65 s talking. */
let routed: { uuid: string; start: number };
/** Straight to a campaign with nowhere to route: no-target at once. */
let unrouted: { uuid: string; start: number };

beforeAll(async () => {
  t = await createTestApp();
  const sim = simOf(t);
  target = await create(t, '/targets', 'target', {
    number: '+14155550100',
    name: 'Taylor Anderson',
    tid: 'tay',
  });
  group = await create(t, '/target_groups', 'target_group', {
    name: 'Retreaver Team',
    target_ids: [target.id],
  });
  campaign = await create(t, '/campaigns', 'campaign', {
    name: 'Sales & Support',
    cid: 'main',
    message: GREETING,
    timers_attributes: [],
    menu_options_attributes: [{ option: '1', target_group_ids: [group.id] }],
  });
  affiliate = await create(t, '/affiliates', 'affiliate', {
    afid: 'pub1',
    first_name: 'Pat',
    last_name: 'Lee',
  });
  number = await create(t, '/numbers', 'number', { cid: 'main', afid: 'pub1', sid: 'sub9' });
  await sim.endpoint(target.number, { answer_after_s: 3 });

  routed = { start: t.clock.now(), uuid: '' };
  const call = await sim.call(CALLER, number.number);
  routed.uuid = call.call_uuid;
  await sim.advance(2);
  await sim.press(call.id, '1');
  await sim.advance(3);
  await sim.advance(65);
  await sim.hangup(call.id);

  await sim.advance(60);
  const bare = await create(t, '/campaigns', 'campaign', {
    name: 'Nowhere',
    cid: 'none',
    timers_attributes: [],
  });
  const bareNumber = await create(t, '/numbers', 'number', { cid: bare.cid, afid: 'pub2' });
  unrouted = { start: t.clock.now(), uuid: (await sim.call(OTHER_CALLER, bareNumber.number)).call_uuid };
  await sim.advance(40);
});
afterAll(async () => t.close());

const get = async (uuid: string, ext = 'json') => t.api('GET', `/api/v2/calls/${uuid}.${ext}`);
const setCall = (uuid: string, patch: Record<string, unknown>) =>
  t.app.store.db.updateTable('calls').set(patch).where('uuid', '=', uuid).execute();

describe('Calls V2: representation', () => {
  it('shows every field of the seed, in its order, from a real call', async () => {
    const res = await get(routed.uuid);
    expect(res.status, res.text).toBe(200);
    const s = routed.start;
    const end = s + 70_000;
    const stored = await t.app.store.db
      .selectFrom('calls')
      .selectAll()
      .where('uuid', '=', routed.uuid)
      .executeTakeFirstOrThrow();
    expect(stored.updated_at).toBeGreaterThanOrEqual(end);
    expect(res.body.call).toEqual({
      uuid: routed.uuid,
      caller: CALLER,
      caller_number_sent: null,
      caller_zip: null,
      caller_state: null,
      caller_city: null,
      caller_country: 'US',
      dialed_call_duration: 65,
      total_duration: 70,
      ivr_duration: 2,
      hold_duration: 3,
      status: 'finished',
      start_time: iso(s),
      forwarded_time: iso(s + 2000),
      end_time: iso(end),
      cid: 'main',
      afid: 'pub1',
      sid: 'sub9',
      dialed_number: target.number,
      revenue: null,
      payout: null,
      postback_value: null,
      network_sale_timer_fired: null,
      affiliate_sale_timer_fired: null,
      target_sale_timer_fired: null,
      hung_up_by: 'caller',
      duplicate: false,
      payable_duplicate: false,
      receivable_duplicate: false,
      callpixels_target_id: target.id,
      system_target_id: target.id,
      system_campaign_id: campaign.id,
      system_affiliate_id: affiliate.id,
      fired_pixels_count: 0,
      charge_total: '0.10',
      keys_pressed: ['1'],
      repeat: false,
      affiliate_repeat: false,
      target_repeat: false,
      number_repeat: false,
      visitor_url: null,
      company_id: t.companyId,
      // Conversions are decided by the engine's conversion step; whatever it recorded is shown as a time.
      conversions_determined_at:
        stored.conversions_determined_at === null ? null : iso(stored.conversions_determined_at),
      updated_at: iso(stored.updated_at),
      created_at: iso(s),
      billable_minutes: 2,
      upstream_call_uuid: null,
      downstream_call_uuids: [],
      target_group: { id: group.id, name: 'Retreaver Team' },
      number: number.number,
      converted: false,
      payable: false,
      receivable: false,
      conversion_seconds: null,
      tid: 'tay',
      tags: { geo: '301,us' },
      fired_pixels: [],
      via: 'inbound-dial',
      rescued: false,
      campaign_id: campaign.id,
      campaign_name: 'Sales & Support',
      number_id: number.id,
      target_id: target.id,
      affiliate_name: 'Pat Lee',
      connected: true,
      profit_gross: '-0.10',
      profit_net: 0,
      target_name: 'Taylor Anderson',
      time_to_call_in_seconds: Math.floor((t.clock.now() - s) / 1000),
      time_to_connect_in_seconds: 5,
      total_cost: '0.10',
    });
    // Without a recording the seed leaves recording_url out; every other key is there, in order.
    expect(Object.keys(res.body.call)).toEqual(SEED_KEYS.filter((k) => k !== 'recording_url'));
  });

  it('shows recording_url where the seed does, once the call has one', async () => {
    await setCall(routed.uuid, { recording_url: 'https://rec.example/1.mp3' });
    const res = await get(routed.uuid);
    expect(Object.keys(res.body.call)).toEqual(SEED_KEYS);
    expect(res.body.call.recording_url).toBe('https://rec.example/1.mp3');
    await setCall(routed.uuid, { recording_url: null });
  });

  it('shows a call that reached no target: empty target_group, null target fields', async () => {
    const c = (await get(unrouted.uuid)).body.call;
    expect(c).toMatchObject({
      status: 'no-target',
      caller: OTHER_CALLER,
      target_group: {},
      target_id: null,
      callpixels_target_id: null,
      system_target_id: null,
      target_name: null,
      tid: null,
      afid: 'pub2',
      affiliate_name: null,
      connected: false,
      dialed_call_duration: 0,
      total_duration: 0,
      charge_total: '0.00',
      profit_gross: '0.00',
      profit_net: 0,
      total_cost: '0.00',
      keys_pressed: [],
      time_to_connect_in_seconds: 0,
      hung_up_by: 'system',
      repeat: false,
      forwarded_time: null,
      target_repeat: null,
    });
    expect(c.time_to_call_in_seconds).toBe(Math.floor((t.clock.now() - unrouted.start) / 1000));
  });

  it('flags repeats and duplicates as booleans, target_repeat null or boolean', async () => {
    await setCall(unrouted.uuid, {
      repeat: 1,
      affiliate_repeat: 1,
      number_repeat: 1,
      target_repeat: 0,
      duplicate: 1,
      payable_duplicate: 1,
      receivable_duplicate: 1,
      converted: 1,
      payable: 1,
      receivable: 1,
      rescued: 1,
      conversion_seconds: 90,
      postback_value: 12.5,
      visitor_url: 'https://visit.example',
      caller_number_sent: '+13015550000',
      upstream_call_uuid: routed.uuid,
      downstream_call_uuids: JSON.stringify([routed.uuid]),
      conversions_determined_at: unrouted.start + 5000,
      network_sale_timer_fired: unrouted.start + 6000,
      affiliate_sale_timer_fired: unrouted.start + 7000,
      target_sale_timer_fired: unrouted.start + 8000,
    });
    const c = (await get(unrouted.uuid)).body.call;
    expect(c).toMatchObject({
      repeat: true,
      affiliate_repeat: true,
      number_repeat: true,
      target_repeat: false,
      duplicate: true,
      payable_duplicate: true,
      receivable_duplicate: true,
      converted: true,
      payable: true,
      receivable: true,
      rescued: true,
      conversion_seconds: 90,
      postback_value: 12.5,
      visitor_url: 'https://visit.example',
      caller_number_sent: '+13015550000',
      upstream_call_uuid: routed.uuid,
      downstream_call_uuids: [routed.uuid],
      conversions_determined_at: iso(unrouted.start + 5000),
      network_sale_timer_fired: iso(unrouted.start + 6000),
      affiliate_sale_timer_fired: iso(unrouted.start + 7000),
      target_sale_timer_fired: iso(unrouted.start + 8000),
    });
  });

  it('lists the same representation as the single call', async () => {
    const res = await t.api('GET', '/api/v2/calls.json');
    expect(res.body.map((c: any) => c.call.uuid)).toEqual([unrouted.uuid, routed.uuid]);
    expect(res.body[1]).toEqual((await get(routed.uuid)).body);
  });
});

describe('Calls V2: money and time formulas', () => {
  it('profit_gross = revenue - payout - total cost; profit_net = revenue - payout; total_cost = charge_total', async () => {
    const cases = [
      { revenue: 5.5, payout: 2.25, gross: '3.15', net: 3.25 },
      { revenue: 5, payout: 5, gross: '-0.10', net: 0 },
      { revenue: 0.3, payout: 0.1, gross: '0.10', net: 0.2 },
      { revenue: 1, payout: 4.5, gross: '-3.60', net: -3.5 },
      { revenue: 10, payout: null, gross: '9.90', net: 10 },
      { revenue: null, payout: null, gross: '-0.10', net: 0 },
    ];
    for (const { revenue, payout, gross, net } of cases) {
      await setCall(routed.uuid, { revenue, payout });
      const c = (await get(routed.uuid)).body.call;
      expect([c.revenue, c.payout, c.profit_gross, c.profit_net, c.total_cost, c.charge_total]).toEqual([
        revenue,
        payout,
        gross,
        net,
        '0.10',
        '0.10',
      ]);
    }
  });

  it('formats money with two decimals and no negative zero', () => {
    expect(money(0.1 + 0.2)).toBe('0.30');
    expect(money(-0.001)).toBe('0.00');
    expect(profits({ revenue: 0.07, payout: 0, charge_total: 0.07 })).toEqual({
      profit_net: 0.07,
      profit_gross: '0.00',
      total_cost: '0.07',
    });
  });

  it('time_to_connect_in_seconds = ivr + hold; time_to_call_in_seconds counts up to the request', async () => {
    await setCall(routed.uuid, { ivr_duration: 14, hold_duration: 17 });
    const before = (await get(routed.uuid)).body.call;
    expect(before.time_to_connect_in_seconds).toBe(31);
    await t.clock.advance(3600_000);
    const after = (await get(routed.uuid)).body.call;
    expect(after.time_to_call_in_seconds - before.time_to_call_in_seconds).toBe(3600);
    await setCall(routed.uuid, { ivr_duration: 2, hold_duration: 3 });
  });
});

describe('Calls V2: fired pixels', () => {
  it('shows each fired pixel, pending ones first, and counts them', async () => {
    const s = routed.start;
    const pixel = (fire_order: number, status: 'new' | 'fired', at: number, webhook_name: string | null) => ({
      company_id: t.companyId,
      call_uuid: routed.uuid,
      url: `https://px.example/${at}`,
      fire_order,
      batch_uuid: `batch-${at}`,
      webhook_name,
      status,
      created_at: s + at,
      fired_at: status === 'fired' ? s + at + 1 : null,
    });
    await t.app.store.db
      .insertInto('fired_pixels')
      .values([
        pixel(0, 'fired', 100, 'Hook A'),
        pixel(1, 'new', 200, null),
        pixel(0, 'fired', 300, 'Hook B'),
      ])
      .execute();
    const c = (await get(routed.uuid)).body.call;
    expect(c.fired_pixels_count).toBe(3);
    // What the API shows for the pixel inserted `at` ms after the call's start.
    const shown = (at: number, fire_order: number, webhook_name: string | null) => ({
      fired_pixel: {
        url: `https://px.example/${at}`,
        fire_order,
        batch_uuid: `batch-${at}`,
        created_at: iso(s + at),
        fired_at: webhook_name ? iso(s + at + 1) : null,
        status: webhook_name ? 'fired' : 'new',
        webhook_name,
      },
    });
    expect(c.fired_pixels).toEqual([shown(200, 1, null), shown(100, 0, 'Hook A'), shown(300, 0, 'Hook B')]);
    const listed = (await t.api('GET', '/api/v2/calls.json')).body.find(
      (x: any) => x.call.uuid === routed.uuid,
    );
    expect(listed.call.fired_pixels).toEqual(c.fired_pixels);
    const none = (await t.api('GET', '/api/v2/calls.json')).body.find(
      (x: any) => x.call.uuid === unrouted.uuid,
    );
    expect(none.call.fired_pixels_count).toBe(0);
  });

  it('answers XML with typed elements, nested hashes and arrays', async () => {
    await setCall(routed.uuid, { revenue: 5.5, payout: 2.25 });
    const res = await get(routed.uuid, 'xml');
    expect(res.headers['content-type']).toContain('text/xml');
    const x = res.text;
    expect(x).toContain('<charge-total>0.10</charge-total>');
    expect(x).toContain('<profit-gross>3.15</profit-gross>');
    expect(x).toContain('<profit-net type="float">3.25</profit-net>');
    expect(x).toContain('<revenue type="float">5.5</revenue>');
    expect(x).toContain('<connected type="boolean">true</connected>');
    expect(x).toContain(`<created-at type="datetime">${iso(routed.start)}</created-at>`);
    expect(x).toMatch(/<keys-pressed type="array">\s*<keys-pressed>1<\/keys-pressed>/);
    expect(x).toMatch(/<target-group>\s*<id type="integer">\d+<\/id>\s*<name>Retreaver Team<\/name>/);
    expect(x).toMatch(/<tags>\s*<geo>301,us<\/geo>\s*<\/tags>/);
    expect(x).toMatch(/<fired-pixels type="array">\s*<fired-pixel>\s*<url>/);
    expect(x.match(/<fired-pixel>/g)).toHaveLength(3);
    expect(x).toContain('<fired-at nil="true"');
    const list = await t.api('GET', '/api/v2/calls.xml');
    expect(list.text).toContain('<calls type="array">');
    expect(list.text).toMatch(/<target-group(\/>|>\s*<\/target-group>)/);
  });
});

describe('Calls V2: query parameters (the same as V1)', () => {
  const list = async (query: string) => {
    const res = await t.api('GET', `/api/v2/calls.json?${query}`);
    expect(res.status, `${query}: ${res.text}`).toBe(200);
    return res.body.map((c: any) => c.call.uuid);
  };
  const rfc = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, '+00:00');

  it('sorts by created_at desc by default; order=asc; updated_at always desc', async () => {
    const [r, u] = [routed.uuid, unrouted.uuid];
    expect(await list('')).toEqual([u, r]);
    expect(await list('sort_by=created_at&order=desc')).toEqual([u, r]);
    expect(await list('sort_by=created_at&order=asc')).toEqual([r, u]);
    expect(await list('sort_by=updated_at')).toEqual([u, r]);
    await setCall(routed.uuid, { updated_at: t.clock.now() });
    expect(await list('sort_by=updated_at&order=asc')).toEqual([r, u]);
  });

  it('filters by created_at range, caller, client_afid, client_cid, client_tid and sub_id', async () => {
    const [r, u] = [routed.uuid, unrouted.uuid];
    const cases: [string, string[]][] = [
      [`created_at_start=${rfc(unrouted.start)}`, [u]],
      [`created_at_end=${rfc(unrouted.start)}`, [r]],
      [`created_at_start=${rfc(routed.start)}&created_at_end=${rfc(routed.start + 1000)}`, [r]],
      ['created_at_start=-4712-01-01T00:00:00+00:00&created_at_end=4712-01-01T00:00:00+00:00', [u, r]],
      ['caller=%2B13015550123', [r]],
      ['caller=+12025550188', [u]],
      ['client_afid=pub1', [r]],
      ['client_afid=pub2', [u]],
      ['client_cid=none', [u]],
      ['client_cid=main', [r]],
      ['client_tid=tay', [r]],
      ['sub_id=sub9', [r]],
      ['sub_id=nope', []],
      [`company_id=${t.companyId}&client_cid=main&order=asc`, [r]],
    ];
    for (const [q, want] of cases) expect(await list(q), q).toEqual(want);
  });

  it('answers 400 in the error shape for every bad parameter, never 500', async () => {
    const bad: [string, string][] = [
      ['sort_by=duration', 'sort_by'],
      ['order=sideways', 'order'],
      ['created_at_start=2016-01-01T00:00:00+99:00', 'created_at_start'],
      ['created_at_end=tomorrow', 'created_at_end'],
      ['caller=%2Bx', 'caller'],
      ['page=0', 'page'],
    ];
    for (const [q, field] of bad) {
      const res = await t.api('GET', `/api/v2/calls.json?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body).toMatchObject({ status: 400, error: expect.any(String) });
      expect(Object.keys(res.body.errors), q).toEqual([field]);
    }
    const xml = await t.api('GET', '/api/v2/calls.xml?order=sideways');
    expect(xml.status).toBe(400);
    expect(xml.text).toContain('<status type="integer">400</status>');
  });

  it("keeps to the key's company: another company's call is 404, its company_id 403", async () => {
    const other = await t.addTenant();
    await setCall(unrouted.uuid, { company_id: other.companyId });
    try {
      expect((await get(unrouted.uuid)).status).toBe(404);
      expect(await list('')).toEqual([routed.uuid]);
      const theirs = await t.api('GET', `/api/v2/calls/${unrouted.uuid}.json`, undefined, { key: other.key });
      expect(theirs.body.call.company_id).toBe(other.companyId);
      expect(
        (await t.api('GET', '/api/v2/calls.json', undefined, { companyId: other.companyId })).status,
      ).toBe(403);
      expect((await t.api('GET', '/api/v2/calls/no-such-call.json')).status).toBe(404);
      expect((await t.api('GET', '/api/v2/calls.json', undefined, { key: null })).status).toBe(401);
    } finally {
      await setCall(unrouted.uuid, { company_id: t.companyId });
    }
  });
});

describe('Calls V2: live calls and paging', () => {
  it('shows a call still ringing as in-progress, with nothing ended yet', async () => {
    const sim = simOf(t);
    await sim.endpoint('+14155550199', { answer_after_s: 60 });
    const c = await create(t, '/campaigns', 'campaign', {
      name: 'Live',
      cid: 'live',
      timers_attributes: [],
      menu_options_attributes: [{ option: '1', target_number: '+14155550199' }],
    });
    const n = await create(t, '/numbers', 'number', { cid: c.cid, afid: 'pub1' });
    const call = await sim.call(CALLER, n.number);
    await sim.advance(4);
    const live = (await get(call.call_uuid)).body.call;
    expect(live).toMatchObject({
      status: 'in-progress',
      end_time: null,
      connected: false,
      cid: 'live',
      repeat: true,
    });
    expect((await t.api('GET', `/calls/${call.call_uuid}.json`)).body.call.status).toBe('in-progress');
    await sim.hangup(call.id);
  });

  it("pages 25 per page and joins each call's pixels to that call only", async () => {
    const at = t.clock.now();
    const base = await t.app.store.db
      .selectFrom('calls')
      .selectAll()
      .where('uuid', '=', routed.uuid)
      .executeTakeFirstOrThrow();
    const { id: _id, ...row } = base;
    const uuids = Array.from({ length: 30 }, (_, i) => `bulk-${String(i).padStart(2, '0')}`);
    await t.app.store.db
      .insertInto('calls')
      .values(uuids.map((uuid) => ({ ...row, uuid, created_at: at, updated_at: at })))
      .execute();
    await t.app.store.db
      .insertInto('fired_pixels')
      .values({
        company_id: t.companyId,
        call_uuid: 'bulk-27',
        url: 'https://px.example/bulk',
        fire_order: 0,
        batch_uuid: 'b',
        webhook_name: null,
        status: 'new',
        created_at: at,
        fired_at: null,
      })
      .execute();
    const total = (await t.api('GET', '/api/v2/calls.json')).headers['x-total-count'];
    const page2 = await t.api(
      'GET',
      `/api/v2/calls.json?created_at_start=${new Date(at).toISOString()}&order=asc&page=2`,
    );
    expect(page2.headers['x-total-count']).toBe('30');
    expect(Number(total)).toBeGreaterThan(30);
    expect(page2.body.map((c: any) => c.call.uuid)).toEqual(uuids.slice(25));
    expect(page2.body.map((c: any) => c.call.fired_pixels_count)).toEqual([0, 0, 1, 0, 0]);
    expect(String(page2.headers.link)).toMatch(/page=1[^>]*>; rel="prev"/);
  });
});
