import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { create, record, simOf } from './harness.js';

/** Reports over calls the engine really made: its writes reach the rollups without the engine knowing. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('Reports over live calls', () => {
  it('shows a call in progress, then its final figures once the engine ends it', async () => {
    const sim = simOf(t);
    const target = await create(t, '/targets', 'target', { number: '+14155550199', name: 'Live Buyer' });
    await sim.endpoint(target.number, { answer_after_s: 2 });
    const campaign = await create(t, '/campaigns', 'campaign', {
      name: 'Live',
      cid: 'live',
      target_ids: [target.id],
      timers_attributes: [],
    });
    const number = await create(t, '/numbers', 'number', { cid: campaign.cid, afid: 'pub1' });
    const day = 86_400_000;
    const range = `created_at_start=${new Date(t.clock.now() - day).toISOString()}&created_at_end=${new Date(t.clock.now() + 2 * day).toISOString()}`;
    const buyerRow = async () => {
      const res = await t.api('GET', `/api/v1/reports.json?domain=calls&facet=buyer&${range}`);
      expect(res.status, res.text).toBe(200);
      return res.body.data.find((r: any) => r.id === target.id);
    };

    const c = await sim.call('+13015550111', number.number);
    await sim.advance(2);
    const live = await buyerRow();
    expect(live).toMatchObject({
      facet_name: 'Live Buyer',
      total_calls: 1,
      in_progress_count: 1,
      total_duration: 0,
    });

    await sim.advance(61);
    await sim.hangup(c.id);
    const r = await record(t, c.call_uuid);
    expect(r.status).toBe('finished');
    const done = await buyerRow();
    expect(done).toMatchObject({
      total_calls: 1,
      in_progress_count: 0,
      total_duration: r.total_duration,
      connected_duration: r.dialed_call_duration,
      cost: r.charge_total,
      profit: -r.charge_total,
    });

    // A repeat from the same caller, a second call on the same day's rollup.
    const again = await sim.call('+13015550111', number.number);
    await sim.advance(3);
    await sim.hangup(again.id);
    const two = await buyerRow();
    expect(two.total_calls).toBe(2);
    expect(two.repeat_count).toBe(1);
    expect(two.unique_calls).toBe(1);
    const pub = await t.api('GET', `/api/v1/reports.json?domain=calls&facet=publisher&${range}`);
    expect(pub.body.data.map((x: any) => [x.facet_name, x.total_calls])).toEqual([['pub1', 2]]);
  });
});
