import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { create, record, simOf } from './harness.js';

let t: TestApp;
let server: http.Server;
let base: string;
const hits: { path: string; cookie: string | undefined }[] = [];

beforeEach(async () => {
  hits.length = 0;
  server = http.createServer((req, res) => {
    hits.push({ path: req.url ?? '', cookie: req.headers.cookie });
    if (req.url?.startsWith('/click')) res.setHeader('set-cookie', 'visitor=abc123; Path=/');
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await createTestApp({ DELIVERY_ALLOW: '127.0.0.1' });
});
afterEach(async () => {
  await t.close();
  await new Promise<void>((r) => server.close(() => r()));
});

const CALLER = '+13015550123';
const drain = () => t.app.delivery.worker.drain();

async function setup(campaign: Record<string, unknown>, targetAttrs: Record<string, unknown> = {}) {
  const target = await create(t, '/targets', 'target', { number: '+14155550001', ...targetAttrs });
  const c = await create(t, '/campaigns', 'campaign', { cid: 'c77', target_ids: [target.id], ...campaign });
  const n = await create(t, '/numbers', 'number', { afid: 'pub9', sid: 'sub1', cid: c.cid });
  return { target, campaign: c, number: n.number as string };
}

const timers = () => [
  { seconds: 0, url: `${base}/click?c=[campaign_id]&a=[affiliate_id]&s=[sub_id]` },
  { seconds: 30, url: `${base}/sale30?d=[call_duration]&caller=[caller_id]` },
  { seconds: 90, url: `${base}/sale90?d=[call_duration]&n=[called_number]&id=[call_log_id]` },
  { seconds: -1, url: `${base}/end` },
];

describe('timer pixels', () => {
  it('fires the click at the start and only the highest sale timer reached, with macros and the click’s cookies', async () => {
    const sim = simOf(t);
    const { number } = await setup({ timers_attributes: timers() });
    const call = await sim.call(CALLER, number);
    await drain();
    expect(hits.map((h) => h.path)).toEqual(['/click?c=c77&a=pub9&s=sub1']);
    await sim.advance(2 + 60);
    await sim.hangup(call.id);
    await drain();
    expect(hits.map((h) => h.path.split('?')[0])).toEqual(['/click', '/sale30', '/end']);
    const sale = hits[1];
    expect(sale.path).toBe(`/sale30?d=60&caller=${encodeURIComponent(CALLER)}`);
    expect(sale.cookie).toBe('visitor=abc123');
    const pixels = await t.app.store.db
      .selectFrom('fired_pixels')
      .selectAll()
      .where('call_uuid', '=', call.call_uuid)
      .orderBy('fire_order')
      .execute();
    expect(pixels.map((p) => [p.fire_order, p.status])).toEqual([
      [0, 'fired'],
      [1, 'fired'],
      [2, 'fired'],
    ]);
    expect(pixels.every((p) => p.fired_at !== null)).toBe(true);
  });

  it('fires the top sale timer as soon as it is due, and nothing lower at the end', async () => {
    const sim = simOf(t);
    const { number } = await setup({ timers_attributes: timers() });
    const call = await sim.call(CALLER, number);
    await sim.advance(2 + 90);
    await drain();
    expect(hits.map((h) => h.path.split('?')[0])).toEqual(['/click', '/sale90']);
    expect(hits[1].path).toContain(`id=${call.call_uuid}`);
    await sim.advance(30);
    await sim.hangup(call.id);
    await drain();
    expect(hits.map((h) => h.path.split('?')[0])).toEqual(['/click', '/sale90', '/end']);
  });

  it('shifts sale timers by the target’s timer_offset', async () => {
    const sim = simOf(t);
    const { number } = await setup({ timers_attributes: timers() }, { timer_offset: 40 });
    const call = await sim.call(CALLER, number);
    await sim.advance(2 + 60);
    await sim.hangup(call.id);
    await drain();
    expect(hits.map((h) => h.path.split('?')[0])).toEqual(['/click', '/end']);
  });

  it('suppresses click and sale timers for a repeat caller inside dedupe_seconds, but not end timers', async () => {
    const sim = simOf(t);
    const { number } = await setup({ dedupe_seconds: 3600, timers_attributes: timers() });
    const first = await sim.call(CALLER, number);
    await sim.hangup(first.id);
    await drain();
    hits.length = 0;
    const second = await sim.call(CALLER, number);
    await sim.advance(2 + 100);
    await sim.hangup(second.id);
    await drain();
    expect(hits.map((h) => h.path)).toEqual(['/end']);
  });

  it('uses the company’s default click and sale URLs when a campaign is created without timers', async () => {
    const sim = simOf(t);
    await t.api('PUT', `/companies/${t.companyId}.json`, {
      company: { default_click_url: `${base}/dclick`, default_sale_url: `${base}/dsale` },
    });
    const { number } = await setup({});
    const call = await sim.call(CALLER, number);
    await sim.advance(2 + 95);
    await sim.hangup(call.id);
    await drain();
    expect(hits.map((h) => h.path)).toEqual(['/dclick', '/dsale']);
  });
});

describe('conversions', () => {
  it('converts a call that lasts past the rule and records revenue and payout', async () => {
    const sim = simOf(t);
    const { campaign, number } = await setup({});
    const rule = await t.api('POST', `/campaigns/cid/${campaign.cid}/conversion_rules.json`, {
      conversion_rule: { seconds: 60, revenue: 12.5, payout: 7 },
    });
    expect(rule.status).toBe(201);
    const short = await sim.call(CALLER, number);
    await sim.advance(2 + 59);
    await sim.hangup(short.id);
    const long = await sim.call('+13015550999', number);
    await sim.advance(2 + 60);
    await sim.hangup(long.id);
    expect(await record(t, short.call_uuid)).toMatchObject({
      converted: 0,
      payable: 0,
      receivable: 0,
      revenue: null,
      payout: null,
    });
    const r = await record(t, long.call_uuid);
    expect(r).toMatchObject({
      converted: 1,
      payable: 1,
      receivable: 1,
      revenue: 12.5,
      payout: 7,
      conversion_seconds: 60,
    });
    expect(r.conversions_determined_at).toBe(r.end_time);
  });
});
