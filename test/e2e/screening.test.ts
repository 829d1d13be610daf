import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { record, simOf, trackedNumber } from './harness.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const forward = { menu_options_attributes: [{ option: '1', target_number: '+14155550101' }] };
const CALLER = '+13015550123';

describe('suppressed callers', () => {
  it('blocks a suppressed caller who may not resubscribe', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, forward);
    expect(
      (
        await t.api('POST', `/suppressed_numbers/${CALLER}.json`, {
          suppressed_number: { can_resubscribe: false },
        })
      ).status,
    ).toBeLessThan(300);
    const call = await sim.call(CALLER, number);
    const r = await record(t, call.call_uuid);
    expect(r).toMatchObject({ status: 'blocked', hung_up_by: 'system', connected: 0, forwarded_time: null });
    expect((await sim.show(call.id)).state).toBe('ended');
  });

  it('lets a caller who may resubscribe press 7, lifts the block and routes the call', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, forward);
    await t.api('POST', `/suppressed_numbers/${CALLER}.json`);
    const call = await sim.call(CALLER, number);
    expect((await sim.show(call.id)).hearing.text).toMatch(/press 7/);
    await sim.press(call.id, '7');
    await sim.advance(2);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: '+14155550101' });
    expect((await t.api('GET', `/suppressed_numbers/${CALLER}.json`)).status).toBe(404);
    await sim.hangup(call.id);
    expect((await record(t, call.call_uuid)).keys_pressed).toEqual(['7']);
  });

  it('blocks the caller who does not press 7', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, forward);
    await t.api('POST', `/suppressed_numbers/${CALLER}.json`);
    const call = await sim.call(CALLER, number);
    await sim.press(call.id, '1');
    expect((await record(t, call.call_uuid)).status).toBe('blocked');
  });
});

describe('static caller numbers', () => {
  it('sends a random caller id to the target, kept as caller_number_sent', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, forward);
    await t.api('POST', '/static_caller_numbers.json', { static_caller_number: { number: CALLER } });
    const call = await sim.call(CALLER, number);
    const shown = await sim.show(call.id);
    const outbound = shown.legs.find((l: any) => l.direction === 'outbound');
    const r = await record(t, call.call_uuid);
    expect(r.caller).toBe(CALLER);
    expect(r.caller_number_sent).toMatch(/^\+1301\d{7}$/);
    expect(r.caller_number_sent).not.toBe(CALLER);
    expect(outbound.from).toBe(r.caller_number_sent);
  });

  it('leaves other callers alone', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, forward);
    const call = await sim.call(CALLER, number);
    const outbound = (await sim.show(call.id)).legs.find((l: any) => l.direction === 'outbound');
    expect(outbound.from).toBe(CALLER);
    expect((await record(t, call.call_uuid)).caller_number_sent).toBeNull();
  });
});

describe('contacts', () => {
  it('adds the contact’s tags to the call', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, forward);
    await t.api('POST', '/contacts.json', {
      contact: {
        tag_list: '<<<name:Ann>>>,<<<tier:gold>>>',
        contact_numbers_attributes: [{ number: CALLER }],
      },
    });
    const call = await sim.call(CALLER, number);
    expect((await record(t, call.call_uuid)).tags).toEqual({ geo: '301,us', name: 'Ann', tier: 'gold' });
  });
});
