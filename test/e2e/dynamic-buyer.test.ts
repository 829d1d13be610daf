/**
 * Dynamic buyers (seed 002 step 7), end to end: company A sells calls to company B of the same app,
 * which listens on 127.0.0.1 so A's start-of-dial ping is real HTTP through the SSRF guard. The sim does
 * not hand a dialed tracking number back to the engine (an unknown number is a plain endpoint), so the
 * tests check what A dialed and what B reserved, then place the call that arrives in B themselves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rtbSetup } from '../api/retreaver/rtb-setup.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { create, legsOf, record, simOf, trackedNumber } from './harness.js';

const CALLER = '+13015550123';
const FALLBACK = '+14155550009';

let t: TestApp;
afterEach(async () => t.close());

async function start(env: Record<string, string> = {}) {
  t = await createTestApp(env);
  await t.app.http.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.http.server.address();
  if (!address || typeof address === 'string') throw new Error('not listening');
  return address.port;
}

/** Company B: a buyer, a pool and a postback key; `paused` makes it answer `no-target`. */
async function buyerCompany(paused = false) {
  const tenant = await t.addTenant();
  const b: TestApp = {
    ...t,
    api: (m, u, body, opts = {}) => t.api(m, u, body, { key: tenant.key, ...opts }),
  };
  const setup = await rtbSetup(b, { targets: [{ number: '+14155551000', paused }], cid: 'buy' });
  return { b, ...setup };
}

/** Company A: a dynamic buyer pinging `pingUrl` first, then a plain target. */
async function sellerCompany(pingUrl: string) {
  const dynamic = await create(t, '/targets', 'target', {
    number: '[inbound_number]',
    ping_url: pingUrl,
    priority: 1,
  });
  const fallback = await create(t, '/targets', 'target', { number: FALLBACK, priority: 2 });
  const { number } = await trackedNumber(t, { target_ids: [dynamic.id, fallback.id], timers_attributes: [] });
  return { dynamic, number };
}

/** What B's campaign reserved, by the uuid A's call keeps. */
async function reservation(b: TestApp, key: string, uuid: string) {
  const res = await b.api('GET', `/call_reservations/${uuid}.json?key=${key}`, undefined, { key: null });
  expect(res.status, res.text).toBe(200);
  return res.body.call_reservation;
}

describe('dynamic buyers', () => {
  it('pings the buyer campaign, dials the number it reserved, and the arriving call claims it', async () => {
    const port = await start({ DELIVERY_ALLOW: '127.0.0.1' });
    const buyer = await buyerCompany();
    // Seed 002 step 4: the buyer's link names the publisher it created for the seller.
    const url = `http://127.0.0.1:${port}/rtbs.json?key=${buyer.key}&publisher_id=${buyer.afid}&source=[geo]`;
    const { number } = await sellerCompany(url);
    const sim = simOf(t);

    const call = await sim.call(CALLER, number);
    await sim.advance(3);
    const legs = await legsOf(t, call.call_uuid);
    const dialed = legs[1].to_number;
    expect(dialed).not.toBe(FALLBACK);
    expect(dialed).toMatch(/^\+1\d{10}$/);
    await sim.hangup(call.id);
    const a = await record(t, call.call_uuid);
    expect(a.dialed_number).toBe(dialed);
    const shown = await reservation(buyer.b, buyer.key, a.tags.dynamic_reservation_uuid);
    expect(shown).toMatchObject({ status: 'reserved', caller_number: CALLER });
    expect(`+${shown.inbound_number}`).toBe(dialed);
    // A's call tags went along; the URL's placeholder was filled from them.
    expect(shown.call.tag_values).toEqual(
      expect.arrayContaining([
        { key: 'geo', value: '301,us' },
        { key: 'source', value: '301,us' },
      ]),
    );

    // What the telephone network would do: A's transfer arrives at B's number and claims the reservation.
    const simB = simOf(buyer.b);
    await simB.endpoint(buyer.targets[0].number, { answer_after_s: 1 });
    const inB = await simB.call(CALLER, dialed);
    await simB.advance(2);
    expect((await legsOf(t, inB.call_uuid))[1].to_number).toBe(buyer.targets[0].number);
    await simB.hangup(inB.id);
    expect(await record(t, inB.call_uuid)).toMatchObject({
      afid: buyer.afid,
      target_id: buyer.targets[0].id,
    });
    expect((await reservation(buyer.b, buyer.key, shown.uuid)).status).toBe('claimed');
  });

  it('a buyer with nobody to take the call sends the call on to the next target', async () => {
    const port = await start({ DELIVERY_ALLOW: '127.0.0.1' });
    const buyer = await buyerCompany(true);
    const { number } = await sellerCompany(
      `http://127.0.0.1:${port}/rtbs.json?key=${buyer.key}&publisher_id=${buyer.afid}`,
    );
    const sim = simOf(t);
    const call = await sim.call(CALLER, number);
    await sim.advance(3);
    const legs = await legsOf(t, call.call_uuid);
    expect(legs.map((l) => l.to_number)).toEqual([number, FALLBACK]);
    await sim.hangup(call.id);
    expect((await record(t, call.call_uuid)).tags.dynamic_reservation_uuid).toBeUndefined();
    const answers = await t.app.store.db.selectFrom('reservations').select('status').execute();
    expect(answers).toEqual([{ status: 'no-target' }]);
  });

  it('the SSRF guard keeps the ping off private addresses unless DELIVERY_ALLOW lets it through', async () => {
    const port = await start();
    const buyer = await buyerCompany();
    const { number } = await sellerCompany(
      `http://127.0.0.1:${port}/rtbs.json?key=${buyer.key}&publisher_id=${buyer.afid}`,
    );
    const sim = simOf(t);
    const call = await sim.call(CALLER, number);
    await sim.advance(3);
    expect((await legsOf(t, call.call_uuid)).map((l) => l.to_number)).toEqual([number, FALLBACK]);
    await sim.hangup(call.id);
    expect(await t.app.store.db.selectFrom('reservations').selectAll().execute()).toEqual([]);
  });

  it('refuses a target numbered [inbound_number] without a ping_url, and bad ping URLs', async () => {
    t = await createTestApp();
    const bare = await t.api('POST', '/targets.json', { target: { number: '[inbound_number]' } });
    expect(bare.status).toBe(400);
    expect(bare.body.errors.number).toBeDefined();
    const ftp = await t.api('POST', '/targets.json', {
      target: { number: '[inbound_number]', ping_url: 'ftp://buyer.example/rtbs.json' },
    });
    expect(ftp.status).toBe(400);
    expect(ftp.body.errors.ping_url).toBeDefined();

    const ok = await create(t, '/targets', 'target', {
      number: '[inbound_number]',
      ping_url: 'https://buyer.example/rtbs.json?key=k',
    });
    expect(ok).toMatchObject({
      number: '[inbound_number]',
      ping_url: 'https://buyer.example/rtbs.json?key=k',
    });
    const cleared = await t.api('PUT', `/targets/${ok.id}.json`, { target: { ping_url: null } });
    expect(cleared.status).toBe(400);
    const plain = await t.api('PUT', `/targets/${ok.id}.json`, {
      target: { number: '+14155550100', ping_url: null },
    });
    expect(plain.status, plain.text).toBe(200);
    expect(plain.body.target).toMatchObject({ number: '+14155550100', ping_url: null });
  });
});
