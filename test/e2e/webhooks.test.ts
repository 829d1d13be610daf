import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { create, record, simOf } from './harness.js';

let t: TestApp;
let server: http.Server;
let base: string;

interface Hit {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
}
const hits: Hit[] = [];
/** Status codes to answer per path, used up in order; then 200. */
const answers = new Map<string, number[]>();

beforeEach(async () => {
  hits.length = 0;
  answers.clear();
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const path = req.url ?? '';
      hits.push({ path, headers: req.headers, raw, body: raw ? JSON.parse(raw) : null });
      const queue = answers.get(path);
      res.statusCode = queue?.length ? (queue.shift() as number) : 200;
      res.end('ok');
    });
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

/** The receiver's recipe from docs/webhooks.md, written out here rather than imported. */
function verifySwitchboard(
  secret: string,
  headers: http.IncomingHttpHeaders,
  rawBody: string,
  nowSeconds: number,
) {
  const timestamp = String(headers['x-switchboard-timestamp'] ?? '');
  const signature = String(headers['x-switchboard-signature'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  return a.length === b.length && timingSafeEqual(a, b);
}
const nowS = () => Math.floor(t.clock.now() / 1000);
const secret = async () =>
  (await t.api('GET', '/company/webhook_secret.json')).body.webhook_secret.secret as string;

async function setup(campaign: Record<string, unknown> = {}) {
  const target = await create(t, '/targets', 'target', { number: '+14155550001', name: 'Buyer A' });
  const c = await create(t, '/campaigns', 'campaign', {
    cid: 'c77',
    name: 'Hooked',
    target_ids: [target.id],
    ...campaign,
  });
  const n = await create(t, '/numbers', 'number', { afid: 'pub9', sid: 'sub1', cid: c.cid });
  return { target, campaign: c, number: n.number as string };
}
const hook = (body: Record<string, unknown>) => create(t, '/campaigns/cid/c77/webhooks', 'webhook', body);

/** A connected call of `seconds` answered seconds, hung up by the caller, deliveries drained. */
async function completedCall(number: string, seconds = 30) {
  const sim = simOf(t);
  const call = await sim.call(CALLER, number);
  await sim.advance(2 + seconds);
  await sim.hangup(call.id);
  await drain();
  return call;
}

const firedPixels = (uuid: string) =>
  t.app.store.db
    .selectFrom('fired_pixels')
    .selectAll()
    .where('call_uuid', '=', uuid)
    .orderBy('fire_order')
    .execute();

describe('campaign webhooks', () => {
  it('sends call_ended with a body matching the call record, signed with the company secret', async () => {
    const { number, target } = await setup();
    await hook({ name: 'CRM', url: `${base}/crm` });
    await t.api('POST', '/campaigns/cid/c77/conversion_rules.json', {
      conversion_rule: { seconds: 20, revenue: 10, payout: 4 },
    });
    const call = await completedCall(number, 30);
    expect(hits.map((h) => h.path)).toEqual(['/crm']);
    const [hit] = hits;
    expect(hit.headers['content-type']).toBe('application/json');
    expect(hit.headers['x-switchboard-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(verifySwitchboard(await secret(), hit.headers, hit.raw, nowS())).toBe(true);
    expect(verifySwitchboard('0'.repeat(64), hit.headers, hit.raw, nowS())).toBe(false);

    const r = await record(t, call.call_uuid);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    expect(hit.body.event).toBe('call_ended');
    expect(hit.body.occurred_at).toBe(iso(r.end_time));
    expect(hit.body.call).toMatchObject({
      uuid: call.call_uuid,
      caller: CALLER,
      caller_number_sent: r.caller_number_sent,
      number,
      cid: 'c77',
      campaign_name: 'Hooked',
      afid: 'pub9',
      sid: 'sub1',
      status: r.status,
      start_time: iso(r.start_time),
      forwarded_time: iso(r.forwarded_time),
      connected_time: iso(r.connected_time),
      end_time: iso(r.end_time),
      total_duration: r.total_duration,
      ivr_duration: r.ivr_duration,
      hold_duration: r.hold_duration,
      dialed_call_duration: 30,
      hung_up_by: 'caller',
      keys_pressed: r.keys_pressed,
      tags: r.tags,
      target_id: target.id,
      target_name: 'Buyer A',
      dialed_number: r.dialed_number,
      connected: true,
      converted: true,
      revenue: 10,
      payout: 4,
    });
    expect(r.total_duration).toBe(32);
    expect(hit.body.call.end_time).not.toBeNull();
  });

  it('records each firing in fired_pixels with webhook_name, after the call’s timer pixels', async () => {
    const { number } = await setup({
      timers_attributes: [
        { seconds: 0, url: `${base}/click` },
        { seconds: -1, url: `${base}/end` },
      ],
    });
    await hook({ name: 'Start hook', url: `${base}/start`, events: ['call_started'] });
    await hook({ name: 'End hook', url: `${base}/ended` });
    const call = await completedCall(number);
    const rows = await firedPixels(call.call_uuid);
    expect(rows.map((p) => [p.fire_order, p.webhook_name, p.url.replace(base, ''), p.status])).toEqual([
      [0, null, '/click', 'fired'],
      [1, 'Start hook', '/start', 'fired'],
      [2, null, '/end', 'fired'],
      [3, 'End hook', '/ended', 'fired'],
    ]);
    expect(rows.every((p) => p.fired_at !== null)).toBe(true);
    const shown = await t.api('GET', `/api/v2/calls/${call.call_uuid}.json`);
    expect(JSON.stringify(shown.body)).toContain('"webhook_name":"End hook"');
  });

  it('sends only the events a webhook subscribes to', async () => {
    const { number } = await setup();
    await hook({ name: 'S', url: `${base}/s`, events: ['call_started'] });
    await hook({ name: 'C', url: `${base}/c`, events: ['call_connected'] });
    await hook({ name: 'All', url: `${base}/all`, events: ['call_started', 'call_connected', 'call_ended'] });
    const sim = simOf(t);
    const call = await sim.call(CALLER, number);
    await drain();
    // Deliveries go out in parallel: compare what arrived, not the order.
    const seen = (from: number) =>
      hits
        .slice(from)
        .map((h) => `${h.path} ${h.body.event}`)
        .sort();
    expect(seen(0)).toEqual(['/all call_started', '/s call_started']);
    await sim.advance(5);
    await drain();
    expect(seen(2)).toEqual(['/all call_connected', '/c call_connected']);
    expect(hits[2].body.call.connected_time).not.toBeNull();
    await sim.hangup(call.id);
    await drain();
    expect(seen(4)).toEqual(['/all call_ended']);
    // Each delivery has its own id.
    expect(new Set(hits.map((h) => h.headers['x-switchboard-delivery'])).size).toBe(5);
  });

  it('retries a failed delivery under the same delivery id, signed anew', async () => {
    const { number } = await setup();
    await hook({ name: 'Flaky', url: `${base}/flaky` });
    answers.set('/flaky', [500]);
    await completedCall(number);
    expect(hits).toHaveLength(1);
    await t.clock.advance(2_000); // the first backoff is under 2 s
    await drain();
    expect(hits).toHaveLength(2);
    expect(hits[1].headers['x-switchboard-delivery']).toBe(hits[0].headers['x-switchboard-delivery']);
    expect(hits[1].raw).toBe(hits[0].raw);
    const s = await secret();
    expect(verifySwitchboard(s, hits[1].headers, hits[1].raw, nowS())).toBe(true);
    const [pixel] = await t.app.store.db.selectFrom('fired_pixels').selectAll().execute();
    expect(pixel).toMatchObject({ webhook_name: 'Flaky', status: 'fired' });
  });

  it('sends to the fallback URL when the primary keeps failing', async () => {
    const { number } = await setup();
    await hook({ name: 'Fb', url: `${base}/down`, fallback_url: `${base}/backup` });
    answers.set('/down', Array(20).fill(503));
    await completedCall(number);
    // 8 attempts at the primary, each backoff under 2 s × 2^(n-1) ≤ 128 s.
    for (let i = 0; i < 8 && !hits.some((h) => h.path === '/backup'); i++) {
      await t.clock.advance(130_000);
      await drain();
    }
    const down = hits.filter((h) => h.path === '/down');
    const backup = hits.filter((h) => h.path === '/backup');
    expect(down).toHaveLength(8);
    expect(backup).toHaveLength(1);
    const ids = new Set(hits.map((h) => h.headers['x-switchboard-delivery']));
    expect(ids.size).toBe(1);
    expect(backup[0].body.event).toBe('call_ended');
    expect(verifySwitchboard(await secret(), backup[0].headers, backup[0].raw, nowS())).toBe(true);
    const [pixel] = await t.app.store.db.selectFrom('fired_pixels').selectAll().execute();
    expect(pixel).toMatchObject({ webhook_name: 'Fb', status: 'fired', url: `${base}/down` });
  });

  it('signs with the new secret after a rotation, and the old one no longer verifies', async () => {
    const { number } = await setup();
    await hook({ name: 'R', url: `${base}/r` });
    const old = await secret();
    await completedCall(number);
    expect(verifySwitchboard(old, hits[0].headers, hits[0].raw, nowS())).toBe(true);
    const rotated = (await t.api('POST', '/company/webhook_secret/rotate.json')).body.webhook_secret.secret;
    expect(rotated).not.toBe(old);
    await completedCall(number);
    expect(hits).toHaveLength(2);
    expect(verifySwitchboard(rotated, hits[1].headers, hits[1].raw, nowS())).toBe(true);
    expect(verifySwitchboard(old, hits[1].headers, hits[1].raw, nowS())).toBe(false);
  });

  it('applies a rotation to retries of earlier events too', async () => {
    const { number } = await setup();
    await hook({ name: 'R2', url: `${base}/r2` });
    answers.set('/r2', [500]);
    const old = await secret();
    await completedCall(number);
    const rotated = (await t.api('POST', '/company/webhook_secret/rotate.json')).body.webhook_secret.secret;
    await t.clock.advance(2_000);
    await drain();
    expect(hits).toHaveLength(2);
    expect(verifySwitchboard(old, hits[0].headers, hits[0].raw, nowS())).toBe(true);
    expect(verifySwitchboard(rotated, hits[1].headers, hits[1].raw, nowS())).toBe(true);
  });

  it('sends nothing for another campaign’s calls or after the webhook is deleted', async () => {
    const { number } = await setup();
    const h = await hook({ name: 'Del', url: `${base}/del` });
    await t.api('DELETE', `/campaigns/cid/c77/webhooks/${h.id}.json`);
    const other = await create(t, '/campaigns', 'campaign', { cid: 'c78', name: 'Other' });
    await create(t, '/campaigns/cid/c78/webhooks', 'webhook', { name: 'O', url: `${base}/other` });
    await completedCall(number);
    expect(hits).toEqual([]);
    expect(other.cid).toBe('c78');
  });
});
