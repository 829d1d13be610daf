import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimReservation } from '../../../src/services/reservations.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { CALLER, ping, rtbSetup } from './rtb-setup.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const NOW = Date.UTC(2025, 0, 6, 15, 0, 0);

const reservation = async (key: string, uuid: string) =>
  (await t.api('GET', `/call_reservations/${uuid}.json?key=${key}`, undefined, { key: null })).body
    .call_reservation;

describe('Call reservation webhook (seed 002)', () => {
  it('answers the call_reservation shape with affiliate_id and extra caller details', async () => {
    const s = await rtbSetup(t);
    await t.api('POST', '/campaigns/cid/rtb1/conversion_rules.json', {
      conversion_rule: { seconds: 10, payout: 5 },
    });
    const res = await ping(
      t,
      {
        key: s.key,
        caller_number: '+10987654321',
        affiliate_id: s.afid,
        caller_zip: '12344',
        first_name: 'Ann',
      },
      '/call_reservations.json',
    );
    expect(res.status, res.text).toBe(200);
    const r = res.body.call_reservation;
    expect(Object.keys(res.body)).toEqual(['call_reservation']);
    expect(Object.keys(r)).toEqual([
      'uuid',
      'inbound_number',
      'caller_number',
      'status',
      'expires_at',
      'claimed_at',
      'wiped_at',
      'call',
    ]);
    const row = await t.app.store.db.selectFrom('reservations').selectAll().executeTakeFirstOrThrow();
    expect(r).toMatchObject({
      uuid: row.uuid,
      // The seed prints the transfer number as digits, a JSON number.
      inbound_number: Number(row.inbound_number!.slice(1)),
      caller_number: '+10987654321',
      status: 'reserved',
      expires_at: new Date(NOW + 120_000).toISOString(),
      claimed_at: null,
      wiped_at: null,
    });
    expect(r.call).toEqual({
      formatted_caller_number: '(098) 765-4321',
      status: 'reserved',
      start_time: null,
      end_time: null,
      caller_number: '+10987654321',
      target_id: s.targets[0].id,
      winning_leg_connected_at: null,
      winning_leg_disconnected_at: null,
      matched_targets: [
        { id: s.targets[0].id, tid: null, name: s.targets[0].name, number: s.targets[0].number },
      ],
      tag_values: [
        { key: 'caller_zip', value: '12344' },
        { key: 'first_name', value: 'Ann' },
      ],
      conversion_groups: [{ seconds: 10, payout: 5 }],
    });
  });

  it('answers no-target as the seed does: no number, an end time, no matched targets', async () => {
    const s = await rtbSetup(t, { targets: [{ paused: true }] });
    const res = await ping(
      t,
      { key: s.key, caller_number: '+10987654321', affiliate_id: s.afid },
      '/call_reservations.json',
    );
    expect(res.body.call_reservation).toMatchObject({
      inbound_number: null,
      status: 'no-target',
      expires_at: null,
      claimed_at: null,
      wiped_at: null,
      call: {
        status: 'no-target',
        start_time: null,
        end_time: NOW,
        target_id: null,
        matched_targets: [],
        conversion_groups: [],
      },
    });
  });

  it('shields a repeat reservation like the RTB does', async () => {
    const s = await rtbSetup(t);
    const params = { key: s.key, caller_number: CALLER, affiliate_id: s.afid };
    const first = (await ping(t, params, '/call_reservations.json')).body.call_reservation;
    const second = (await ping(t, params, '/call_reservations.json')).body.call_reservation;
    expect(second).toEqual({ ...first, retreaver_ping_shield: true });
  });

  it('GET needs a live key of the reservation campaign', async () => {
    const s = await rtbSetup(t);
    const { uuid } = (await ping(t, { key: s.key, caller_number: CALLER, publisher_id: s.afid })).body;
    expect((await t.api('GET', `/call_reservations/${uuid}.json`, undefined, { key: null })).status).toBe(
      401,
    );
    const other = await rtbSetup(t, { cid: 'rtb2' });
    expect(
      (await t.api('GET', `/call_reservations/${uuid}.json?key=${other.key}`, undefined, { key: null }))
        .status,
    ).toBe(404);
  });
});

describe('Expiry and wipe', () => {
  it('wipes an expired reservation on the clock (without further pings) and frees its number', async () => {
    const s = await rtbSetup(t, { pool: { max_pool_size: 1 }, key: { reservation_seconds: 30 } });
    const first = (await ping(t, { key: s.key, caller_number: CALLER, publisher_id: s.afid })).body;
    expect(
      (await ping(t, { key: s.key, caller_number: '+13015550100', publisher_id: s.afid })).body.status,
    ).toBe('no-number');
    await t.clock.advance(29_999);
    expect((await reservation(s.key, first.uuid)).status).toBe('reserved');
    await t.clock.advance(1);
    const wiped = await reservation(s.key, first.uuid);
    expect(wiped).toMatchObject({
      status: 'expired',
      wiped_at: new Date(NOW + 30_000).toISOString(),
      claimed_at: null,
    });
    const next = (await ping(t, { key: s.key, caller_number: '+13015550100', publisher_id: s.afid })).body;
    expect(next).toMatchObject({ status: 'reserved', inbound_number: first.inbound_number });
  });

  it('an expired reservation cannot be claimed, and claiming wipes it', async () => {
    const s = await rtbSetup(t, { key: { reservation_seconds: 30 } });
    const r = (await ping(t, { key: s.key, caller_number: CALLER, publisher_id: s.afid })).body;
    const db = t.app.store.db;
    const claim = { companyId: t.companyId, caller: CALLER, number: r.inbound_number, now: NOW + 30_000 };
    expect(await claimReservation(db, claim)).toBeUndefined();
    expect((await reservation(s.key, r.uuid)).status).toBe('expired');
  });
});

describe('Claim', () => {
  it('by the right caller only, once, before expiry; the number returns to the pool', async () => {
    const s = await rtbSetup(t, { pool: { max_pool_size: 1 } });
    const r = (
      await ping(t, { key: s.key, caller_number: CALLER, publisher_id: s.afid, caller_zip: '12344' })
    ).body;
    const db = t.app.store.db;
    const base = { companyId: t.companyId, number: r.inbound_number, now: NOW + 5_000 };
    expect(await claimReservation(db, { ...base, caller: '+13015550100' })).toBeUndefined();
    expect(await claimReservation(db, { ...base, number: '+18005550100', caller: CALLER })).toBeUndefined();
    const other = await t.addTenant();
    expect(
      await claimReservation(db, { ...base, companyId: other.companyId, caller: CALLER }),
    ).toBeUndefined();
    expect(await claimReservation(db, { ...base, caller: CALLER })).toEqual({
      reservationUuid: r.uuid,
      targetId: s.targets[0].id,
      afid: s.afid,
      tags: { caller_zip: '12344' },
      onlyReservedTarget: false,
    });
    expect(await claimReservation(db, { ...base, caller: CALLER })).toBeUndefined();
    const shown = await reservation(s.key, r.uuid);
    expect(shown).toMatchObject({
      status: 'claimed',
      claimed_at: new Date(NOW + 5_000).toISOString(),
      wiped_at: null,
    });
    // Claimed: the shield is down and the number may be reserved again.
    const next = (await ping(t, { key: s.key, caller_number: '+13015550100', publisher_id: s.afid })).body;
    expect(next).toMatchObject({ status: 'reserved', inbound_number: r.inbound_number });
  });

  it('two calls racing for one reservation: only one claims it', async () => {
    const s = await rtbSetup(t);
    const r = (await ping(t, { key: s.key, caller_number: CALLER, publisher_id: s.afid })).body;
    const claim = { companyId: t.companyId, caller: CALLER, number: r.inbound_number, now: NOW };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => claimReservation(t.app.store.db, claim)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('Concurrent pings', () => {
  it('never share a number: 40 parallel pings on a pool of 25 get 25 distinct numbers and 15 no-number', async () => {
    const s = await rtbSetup(t, { pool: { max_pool_size: 25 } });
    const callers = Array.from({ length: 40 }, (_, i) => `+1301555${String(1000 + i)}`);
    const answers = await Promise.all(
      callers.map((c) => ping(t, { key: s.key, caller_number: c, publisher_id: s.afid }).then((r) => r.body)),
    );
    const reserved = answers.filter((a) => a.status === 'reserved');
    expect(reserved).toHaveLength(25);
    expect(answers.filter((a) => a.status === 'no-number')).toHaveLength(15);
    expect(new Set(reserved.map((a) => a.inbound_number)).size).toBe(25);
    const live = await t.app.store.db
      .selectFrom('numbers')
      .select('id')
      .where('number_pool_id', '=', s.pool.id)
      .execute();
    expect(live).toHaveLength(25);
  });

  it('the same caller pinging in parallel gets one reservation (the others are shielded)', async () => {
    const s = await rtbSetup(t);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        ping(t, { key: s.key, caller_number: CALLER, publisher_id: s.afid }).then((r) => r.body),
      ),
    );
    expect(new Set(answers.map((a) => a.uuid)).size).toBe(1);
    expect(answers.filter((a) => a.retreaver_ping_shield)).toHaveLength(9);
  });
});
