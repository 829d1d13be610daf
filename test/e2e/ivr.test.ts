import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promptSeconds } from '../../src/telephony/sim/endpoints.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { create, record, simOf, trackedNumber } from './harness.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const GREETING = 'Thanks for calling. Press one for sales or two for support.';
const greetingS = promptSeconds({ kind: 'tts', text: GREETING });

describe('IVR menu', () => {
  it('plays the greeting and routes on the key pressed', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, {
      message: GREETING,
      voice_gender: 'Female',
      repeat: 2,
      menu_options_attributes: [
        { option: '1', target_number: '+14155550101' },
        { option: '2', target_number: '+14155550102' },
      ],
    });
    const call = await sim.call('+13015550123', number);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'prompt', text: GREETING, voice: 'Female' });
    await sim.advance(1);
    await sim.press(call.id, '2');
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'ringing' });
    await sim.advance(2);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: '+14155550102' });
    await sim.advance(10);
    await sim.hangup(call.id);
    const r = await record(t, call.call_uuid);
    expect(r.keys_pressed).toEqual(['2']);
    expect(r.ivr_duration).toBe(1);
    expect(r.hold_duration).toBe(2);
    expect(r.time_to_connect_in_seconds).toBe(3);
    expect(r.total_duration).toBe(13);
    expect(r.dialed_number).toBe('+14155550102');
  });

  it('repeats the greeting `repeat` times, then ends the call when no key comes', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, {
      message: GREETING,
      repeat: 3,
      menu_options_attributes: [{ option: '1', target_number: '+14155550101' }],
    });
    const call = await sim.call('+13015550123', number);
    await sim.advance(greetingS * 3 - 0.5);
    expect((await sim.show(call.id)).hearing.kind).toBe('prompt');
    await sim.advance(0.5);
    expect((await sim.show(call.id)).hearing.kind).toBe('silence');
    await sim.advance(5);
    const r = await record(t, call.call_uuid);
    expect(r).toMatchObject({
      status: 'finished',
      hung_up_by: 'system',
      end_reason: 'no key pressed',
      connected: 0,
      ivr_duration: greetingS * 3 + 5,
    });
    expect((await sim.show(call.id)).state).toBe('ended');
    // The journey says why the system hung up: the greeting requires a key (the seed), none came.
    const v3 = await t.api('GET', `/api/v3/calls/${call.call_uuid}.json?call_flow_events=true`);
    expect(v3.body.call.call_flow_events.at(-1)).toMatchObject({
      type: 'ended',
      details: { status: 'finished', hung_up_by: 'system', reason: 'no key pressed' },
    });
  });

  it('ignores keys with no menu option and records them', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, {
      message: GREETING,
      menu_options_attributes: [{ option: '1', target_number: '+14155550101' }],
    });
    const call = await sim.call('+13015550123', number);
    await sim.press(call.id, '9');
    expect((await sim.show(call.id)).hearing.kind).toBe('prompt');
    await sim.press(call.id, '1');
    await sim.advance(2);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: '+14155550101' });
    await sim.hangup(call.id);
    expect((await record(t, call.call_uuid)).keys_pressed).toEqual(['9', '1']);
  });

  it('chains to another campaign with target_cid', async () => {
    const sim = simOf(t);
    const other = await create(t, '/campaigns', 'campaign', {
      cid: 'support',
      message: 'Support here. Press three.',
      menu_options_attributes: [{ option: '3', target_number: '+14155550103' }],
    });
    const { number } = await trackedNumber(t, {
      message: GREETING,
      menu_options_attributes: [
        { option: '1', target_number: '+14155550101' },
        { option: '2', target_cid: other.cid },
      ],
    });
    const call = await sim.call('+13015550123', number);
    await sim.press(call.id, '2');
    expect((await sim.show(call.id)).hearing).toMatchObject({
      kind: 'prompt',
      text: 'Support here. Press three.',
    });
    await sim.press(call.id, '3');
    await sim.advance(2);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: '+14155550103' });
    await sim.hangup(call.id);
    expect((await record(t, call.call_uuid)).keys_pressed).toEqual(['2', '3']);
  });

  it('records a caller who hangs up during the greeting', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, {
      message: GREETING,
      menu_options_attributes: [{ option: '1', target_number: '+14155550101' }],
    });
    const call = await sim.call('+13015550123', number);
    await sim.advance(2);
    await sim.hangup(call.id);
    const r = await record(t, call.call_uuid);
    expect(r).toMatchObject({
      status: 'finished',
      hung_up_by: 'caller',
      connected: 0,
      total_duration: 2,
      ivr_duration: 2,
      forwarded_time: null,
    });
  });
});
