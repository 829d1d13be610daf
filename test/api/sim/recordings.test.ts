import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { create, record, simOf, trackedNumber } from '../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const AGENT = '+14155550100';

/** A call connected to the agent (who answers after 1 s), 2 s in. */
async function connectedCall() {
  const sim = simOf(t);
  const target = await create(t, '/targets', 'target', { number: AGENT });
  const { number } = await trackedNumber(t, { target_ids: [target.id] });
  await sim.endpoint(AGENT, { answer_after_s: 1 });
  const call = await sim.call('+13015550123', number);
  await sim.advance(2);
  return { sim, call };
}

/** Seconds of audio in a canonical 8 kHz 16-bit mono WAV. */
const seconds = (wav: Buffer) => wav.readUInt32LE(40) / 2 / 8000;

describe('recordings on the simulated network', () => {
  it('records start/pause/resume on the network clock; the call’s end makes the WAV its recording_url serves', async () => {
    const { sim, call } = await connectedCall();
    const rec = (action: 'start' | 'pause' | 'resume') =>
      t.app.engine.parties.record(t.companyId, call.call_uuid, action);
    await rec('start');
    await sim.advance(4);
    await rec('pause');
    await sim.advance(10);
    await rec('resume');
    await sim.advance(1);
    expect((await record(t, call.call_uuid)).recording_url).toBeNull();
    await sim.hangup(call.id);

    const url = (await record(t, call.call_uuid)).recording_url;
    expect(url).toBe(`/calls/${call.call_uuid}/recording.wav`);
    const v2 = await t.api('GET', `/api/v2/calls/${call.call_uuid}.json`);
    expect(v2.body.call.recording_url).toBe(url);
    const res = await t.app.http.inject({ method: 'GET', url: url!, headers: { 'x-api-key': t.key } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    expect(res.rawPayload.toString('ascii', 8, 12)).toBe('WAVE');
    expect(seconds(res.rawPayload)).toBe(5); // 4 s, then 1 s after the resume: the pause left out
    expect(res.rawPayload.readInt16LE(44 + 2 * 5)).not.toBe(0); // a tone, not silence
  });

  it('a call without a recording, or another company’s, is 404; no key is 401', async () => {
    const { sim, call } = await connectedCall();
    await sim.hangup(call.id);
    const url = `/calls/${call.call_uuid}/recording.wav`;
    expect(
      (await t.app.http.inject({ method: 'GET', url, headers: { 'x-api-key': t.key } })).statusCode,
    ).toBe(404);
    expect((await t.app.http.inject({ method: 'GET', url })).statusCode).toBe(401);
    const other = await t.addTenant();
    expect(
      (await t.app.http.inject({ method: 'GET', url, headers: { 'x-api-key': other.key } })).statusCode,
    ).toBe(404);
  });
});
