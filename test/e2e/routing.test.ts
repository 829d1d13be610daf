import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { create, legsOf, record, simOf } from './harness.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const CALLER = '+13015550123';

async function target(number: string, attrs: Record<string, unknown> = {}) {
  return create(t, '/targets', 'target', { number, name: `T ${number}`, ...attrs });
}

/** A campaign routing to the given targets/groups (no greeting), and a number on it. */
async function routed(
  list: { target_ids?: number[]; target_group_ids?: number[] },
  campaign: Record<string, unknown> = {},
) {
  const c = await create(t, '/campaigns', 'campaign', { name: 'routed', ...list, ...campaign });
  const n = await create(t, '/numbers', 'number', { afid: 'pub1', cid: c.cid });
  return n.number as string;
}

describe('routing list on a campaign', () => {
  it('fails over on busy, no answer and reject, in priority order, and connects the next', async () => {
    const sim = simOf(t);
    const a = await target('+14155550001', { priority: 1, timeout_seconds: 10 });
    const b = await target('+14155550002', { priority: 2, timeout_seconds: 10 });
    const c = await target('+14155550003', { priority: 3, timeout_seconds: 10 });
    const d = await target('+14155550004', { priority: 4, timeout_seconds: 10 });
    await sim.endpoint(a.number, { busy: true });
    await sim.endpoint(b.number, { no_answer: true });
    await sim.endpoint(c.number, { reject: true });
    await sim.endpoint(d.number, { answer_after_s: 2 });
    const number = await routed({ target_ids: [d.id, c.id, b.id, a.id] });
    const call = await sim.call(CALLER, number);
    await sim.advance(1 + 10 + 1 + 2);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: d.number });
    const legs = await legsOf(t, call.call_uuid);
    expect(legs.slice(1).map((l) => [l.to_number, l.status])).toEqual([
      [a.number, 'busy'],
      [b.number, 'no-answer'],
      [c.number, 'rejected'],
      [d.number, 'answered'],
    ]);
    await sim.hangup(call.id);
    const r = await record(t, call.call_uuid);
    expect(r).toMatchObject({
      target_id: d.id,
      target_name: d.name,
      dialed_number: d.number,
      hold_duration: 14,
    });
  });

  it('ends with no-target when every target fails', async () => {
    const sim = simOf(t);
    const a = await target('+14155550001');
    await sim.endpoint(a.number, { unreachable: true });
    const number = await routed({ target_ids: [a.id] });
    const call = await sim.call(CALLER, number);
    await sim.advance(1);
    expect((await record(t, call.call_uuid)).status).toBe('no-target');
  });

  it('skips paused targets, and targets closed by business hours (invert too)', async () => {
    const sim = simOf(t);
    // 15:00 UTC on Monday 2025-01-06 is 10:00 in New York.
    t.clock.set(Date.UTC(2025, 0, 6, 15, 0, 0));
    const paused = await target('+14155550001', { priority: 1, paused: true });
    const closed = await target('+14155550002', {
      priority: 2,
      time_zone: 'Eastern Time (US & Canada)',
      business_hours_attributes: [{ day_of_week: 1, time_open: 1200, time_close: 1700 }],
    });
    const inverted = await target('+14155550003', {
      priority: 3,
      time_zone: 'Eastern Time (US & Canada)',
      business_hours_attributes: [{ day_of_week: 1, time_open: 900, time_close: 1700, invert: true }],
    });
    const open = await target('+14155550004', { priority: 4 });
    const number = await routed({ target_ids: [paused.id, closed.id, inverted.id, open.id] });
    const call = await sim.call(CALLER, number);
    const legs = await legsOf(t, call.call_uuid);
    expect(legs.slice(1).map((l) => l.to_number)).toEqual([open.number]);
  });

  it('routes only to targets whose tags match the call’s tags', async () => {
    const sim = simOf(t);
    const sales = await target('+14155550001', { priority: 1, tag_list: '<<<tier:gold>>>' });
    const any = await target('+14155550002', { priority: 2 });
    const number = await routed({ target_ids: [sales.id, any.id] });
    const plain = await sim.call(CALLER, number);
    expect((await legsOf(t, plain.call_uuid))[1].to_number).toBe(any.number);
    await sim.hangup(plain.id);
    await t.api('POST', '/contacts.json', {
      contact: { tag_list: '<<<tier:gold>>>', contact_numbers_attributes: [{ number: '+13015550999' }] },
    });
    const gold = await sim.call('+13015550999', number);
    expect((await legsOf(t, gold.call_uuid))[1].to_number).toBe(sales.number);
  });

  it('spreads equal-priority calls by weight', async () => {
    const sim = simOf(t);
    const heavy = await target('+14155550001', { weight: 3 });
    const light = await target('+14155550002', { weight: 1 });
    const number = await routed({ target_ids: [heavy.id, light.id] });
    const first: Record<string, number> = { [heavy.number]: 0, [light.number]: 0 };
    const calls = 400;
    for (let i = 0; i < calls; i++) {
      const call = await sim.call(CALLER, number);
      const legs = await legsOf(t, call.call_uuid);
      first[legs[1].to_number]++;
      await sim.hangup(call.id);
    }
    // Expected 300 of 400; the standard deviation is about 8.7, so ±45 is over 5 sigma, yet a uniform
    // choice (200) or a fixed order (400 or 0) falls far outside.
    expect(first[heavy.number]).toBeGreaterThan(255);
    expect(first[heavy.number]).toBeLessThan(345);
  }, 60_000);
});

describe('target groups', () => {
  it('simuldials a behavior-2 group: first to answer wins, the others are cancelled', async () => {
    const sim = simOf(t);
    const slow = await target('+14155550001');
    const fast = await target('+14155550002');
    await sim.endpoint(slow.number, { answer_after_s: 5 });
    await sim.endpoint(fast.number, { answer_after_s: 2 });
    const g = await create(t, '/target_groups', 'target_group', {
      name: 'g',
      behavior: 2,
      priority: 1,
      weight: 1,
      target_ids: [slow.id, fast.id],
    });
    const number = await routed({ target_group_ids: [g.id] });
    const call = await sim.call(CALLER, number);
    const ringing = (await sim.show(call.id)).legs.filter(
      (l: any) => l.direction === 'outbound' && l.state === 'ringing',
    );
    expect(ringing).toHaveLength(2);
    await sim.advance(2);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: fast.number });
    const legs = await legsOf(t, call.call_uuid);
    expect(Object.fromEntries(legs.slice(1).map((l) => [l.to_number, l.status]))).toEqual({
      [fast.number]: 'answered',
      [slow.number]: 'cancelled',
    });
    await sim.hangup(call.id);
    expect(await record(t, call.call_uuid)).toMatchObject({
      target_id: fast.id,
      target_group_id: g.id,
      target_group_name: 'g',
    });
  });

  it('dials a behavior-1 group member by member', async () => {
    const sim = simOf(t);
    const a = await target('+14155550001', { priority: 1 });
    const b = await target('+14155550002', { priority: 2 });
    await sim.endpoint(a.number, { busy: true });
    const g = await create(t, '/target_groups', 'target_group', { name: 'g1', target_ids: [a.id, b.id] });
    const number = await routed({ target_group_ids: [g.id] });
    const call = await sim.call(CALLER, number);
    await sim.advance(1);
    const legs = await legsOf(t, call.call_uuid);
    expect(legs.slice(1).map((l) => [l.to_number, l.status])).toEqual([
      [a.number, 'busy'],
      [b.number, 'ringing'],
    ]);
  });
});

describe('caps and concurrency', () => {
  it('stops routing to a target whose daily cap is filled, until the next local day', async () => {
    const sim = simOf(t);
    // 2025-01-06 23:30 in New York = 04:30 UTC on the 7th.
    t.clock.set(Date.UTC(2025, 0, 7, 4, 30, 0));
    const capped = await target('+14155550001', {
      priority: 1,
      time_zone: 'Eastern Time (US & Canada)',
      daily_cap_attributes: { cap: 1 },
    });
    const backup = await target('+14155550002', { priority: 2 });
    const number = await routed({ target_ids: [capped.id, backup.id] });
    const dialed = async () => {
      const call = await sim.call(CALLER, number);
      await sim.advance(2);
      const to = (await legsOf(t, call.call_uuid))[1].to_number;
      await sim.hangup(call.id);
      return to;
    };
    expect(await dialed()).toBe(capped.number);
    expect(await dialed()).toBe(backup.number);
    const shown = await t.api('GET', `/targets/${capped.id}.json`);
    expect(shown.body.target.caps.find((c: any) => c.type === 'Daily')).toMatchObject({ cap: 1, filled: 1 });
    await sim.advance(30 * 60); // past New York midnight
    expect(await dialed()).toBe(capped.number);
  });

  it('never lets two parallel calls take the last concurrency slot', async () => {
    const sim = simOf(t);
    const one = await target('+14155550001', { priority: 1, concurrency_cap: 1 });
    const backup = await target('+14155550002', { priority: 2 });
    await sim.endpoint(one.number, { answer_after_s: 1 });
    const number = await routed({ target_ids: [one.id, backup.id] });
    const calls = await Promise.all([1, 2, 3].map((i) => sim.call(`+1301555010${i}`, number)));
    await sim.advance(2);
    const first = await Promise.all(calls.map(async (c) => (await legsOf(t, c.call_uuid))[1].to_number));
    expect(first.filter((n) => n === one.number)).toHaveLength(1);
    expect(first.filter((n) => n === backup.number)).toHaveLength(2);
    const live = await t.api('GET', `/targets/${one.id}.json`);
    expect(live.body.target.calls_in_progress).toBe(1);
  });

  it('counts a hard cap until reset_cap', async () => {
    const sim = simOf(t);
    const capped = await target('+14155550001', { hard_cap_attributes: { cap: 1 } });
    const number = await routed({ target_ids: [capped.id] });
    const c1 = await sim.call(CALLER, number);
    await sim.advance(2);
    await sim.hangup(c1.id);
    const c2 = await sim.call(CALLER, number);
    expect((await record(t, c2.call_uuid)).status).toBe('no-target');
    await t.api('POST', `/targets/${capped.id}/reset_cap.json`);
    const c3 = await sim.call(CALLER, number);
    expect((await legsOf(t, c3.call_uuid))[1].to_number).toBe(capped.number);
  });
});

describe('send_digits', () => {
  it('plays the target’s digits after it answers, with w as a half-second pause', async () => {
    const sim = simOf(t);
    const a = await target('+14155550001', { send_digits: '12w34' });
    const number = await routed({ target_ids: [a.id] });
    const call = await sim.call(CALLER, number);
    await sim.advance(2);
    const leg = () => sim.show(call.id).then((s) => s.legs.find((l: any) => l.direction === 'outbound'));
    expect((await leg()).digits_received).toBe('12');
    await sim.advance(0.5);
    expect((await leg()).digits_received).toBe('1234');
  });
});

describe('routing lists set through the Core API', () => {
  it('shows, edits and validates a campaign’s list; numbers inherit it until they set their own', async () => {
    const a = await target('+14155550001');
    const b = await target('+14155550002');
    const g = await create(t, '/target_groups', 'target_group', { name: 'g', target_ids: [a.id] });
    const c = await create(t, '/campaigns', 'campaign', {
      name: 'x',
      target_ids: [a.id],
      target_group_ids: [g.id],
    });
    expect([c.target_ids, c.target_group_ids]).toEqual([[a.id], [g.id]]);
    const added = await t.api('PUT', `/campaigns/cid/${c.cid}.json`, {
      campaign: { add_targets_by_id: [b.id], remove_target_groups_by_id: [g.id] },
    });
    expect([added.body.campaign.target_ids, added.body.campaign.target_group_ids]).toEqual([
      [a.id, b.id],
      [],
    ]);
    const other = await t.addTenant();
    const foreign = await t.api(
      'POST',
      '/targets.json',
      { target: { number: '+14155550009' } },
      { key: other.key },
    );
    const bad = await t.api('PUT', `/campaigns/cid/${c.cid}.json`, {
      campaign: { target_ids: [foreign.body.target.id, 999999] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.target_ids[0]).toContain(String(foreign.body.target.id));
    expect((await t.api('GET', `/campaigns/cid/${c.cid}.json`)).body.campaign.target_ids).toEqual([
      a.id,
      b.id,
    ]);
    const n = await create(t, '/numbers', 'number', { afid: 'p', cid: c.cid });
    expect([n.target_ids, n.routing_inherited]).toEqual([[a.id, b.id], true]);
    const own = await t.api('PUT', `/numbers/${n.id}.json`, { number: { target_ids: [b.id] } });
    expect([own.body.number.target_ids, own.body.number.routing_inherited]).toEqual([[b.id], false]);
  });

  it('routes a menu option through its own list instead of a target number', async () => {
    const sim = simOf(t);
    const sales = await target('+14155550001');
    const support = await target('+14155550002');
    const c = await create(t, '/campaigns', 'campaign', {
      message: 'Press one or two.',
      target_ids: [sales.id],
      menu_options_attributes: [{ option: '1' }, { option: '2', target_ids: [support.id] }],
    });
    expect(c.menu_options.map((m: any) => m.menu_option.target_ids)).toEqual([[], [support.id]]);
    const n = await create(t, '/numbers', 'number', { afid: 'pub1', cid: c.cid });
    const two = await sim.call(CALLER, n.number);
    await sim.press(two.id, '2');
    expect((await legsOf(t, two.call_uuid))[1].to_number).toBe(support.number);
    await sim.hangup(two.id);
    const one = await sim.call(CALLER, n.number);
    await sim.press(one.id, '1');
    expect((await legsOf(t, one.call_uuid))[1].to_number).toBe(sales.number);
  });
});
