import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const TARGET = '+14155550188';

/** A tracked number routed to TARGET; the caller dials it and the clock moves `seconds`. */
async function callAfter(seconds: number) {
  const target = (await t.api('POST', '/targets.json', { target: { number: TARGET } })).body.target;
  await t.api('POST', '/campaigns.json', { campaign: { cid: 'sim-ep', target_ids: [target.id] } });
  const number = (await t.api('POST', '/numbers.json', { number: { afid: 'p', cid: 'sim-ep' } })).body.number
    .number;
  const placed = await t.api('POST', '/sim/calls', { from: '+13015550100', to: number });
  await t.api('POST', '/sim/clock/advance', { seconds });
  const seen = await t.api('GET', `/sim/calls/${placed.body.id}`);
  return seen.body.legs.find((l: { to: string }) => l.to === TARGET);
}

describe('POST /sim/endpoints', () => {
  it('hangup_after_s null means "stays on the line", not 0 (and digits null stays null)', async () => {
    const set = await t.api('POST', '/sim/endpoints', {
      number: TARGET,
      answer_after_s: 1,
      hangup_after_s: null,
      digits: null,
    });
    expect(set.status).toBe(200);
    expect(set.body.endpoint).toEqual({
      number: TARGET,
      answer_after_s: 1,
      hangup_after_s: null,
      digits: null,
    });
    expect((await callAfter(120)).state).toBe('answered');
  });

  it('hangup_after_s 0 hangs up at once after answering', async () => {
    await t.api('POST', '/sim/endpoints', { number: TARGET, answer_after_s: 1, hangup_after_s: 0 });
    expect((await callAfter(5)).state).toBe('ended');
  });

  it('a string for hangup_after_s is a 400 naming the field', async () => {
    const res = await t.api('POST', '/sim/endpoints', { number: TARGET, hangup_after_s: 'soon' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('hangup_after_s');
  });
});
