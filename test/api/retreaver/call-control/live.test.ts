import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, simOf } from '../../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

/** The face over the real engine and the simulated network: the seed's walk-through, by HTTP only. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const CALLER = '+13015550123';
const AGENT = '+14155550001';
const TRANSFEREE = '+14155550099';

const cc = async (method: string, path: string, key: string, payload?: unknown) => {
  const res = await t.app.http.inject({
    method: method as any,
    url: `/call_control/v1${path}?api_key=${key}`,
    ...(payload === undefined ? {} : { payload: payload as any }),
  });
  return { status: res.statusCode, body: JSON.parse(res.body) };
};
const keyFor = async (targetId: number) =>
  (await t.api('POST', '/call_control_keys.json', { target_id: targetId })).body.call_control_key
    .key as string;

describe('Call Control API over the live engine', () => {
  it('finds the call, transfers it with the caller held, and conferences the caller in', async () => {
    const sim = simOf(t);
    const agent = await create(t, '/targets', 'target', { number: AGENT });
    const transferee = await create(t, '/targets', 'target', { number: TRANSFEREE });
    const c = await create(t, '/campaigns', 'campaign', { target_ids: [agent.id] });
    const n = await create(t, '/numbers', 'number', { afid: 'p', cid: c.cid });
    const call = await sim.call(CALLER, n.number);
    await sim.advance(2);
    const agentKey = await keyFor(agent.id);
    const transfereeKey = await keyFor(transferee.id);

    const active = await cc('GET', `/active_calls.json`, agentKey);
    expect(active.body.results).toHaveLength(1);
    expect(active.body.results[0]).toMatchObject({
      call_uuid: call.call_uuid,
      caller_number: CALLER,
      dialed_out_number: AGENT,
    });
    expect((await cc('GET', '/active_calls.json', transfereeKey)).body.results).toEqual([]);

    const transfer = await cc('POST', `/calls/${call.call_uuid}/transfer.json`, agentKey, {
      hold_caller: true,
      transfer_to: TRANSFEREE,
    });
    expect(transfer.status).toBe(200);
    expect(transfer.body.transfer_uuid).toMatch(/^[0-9a-f-]{36}$/);
    await sim.advance(3);

    const seen = await cc('GET', `/active_calls.json`, transfereeKey);
    expect(seen.body.results.map((r: any) => [r.call_uuid, r.dialed_out_number])).toEqual([
      [call.call_uuid, TRANSFEREE],
    ]);

    const again = await cc('POST', `/calls/${call.call_uuid}/transfer.json`, agentKey, {
      hold_caller: true,
      transfer_to: '+14155550077',
    });
    expect([again.status, again.body]).toEqual([409, { success: false, error: 'call already transferred' }]);

    const conf = await cc(
      'POST',
      `/transfers/${transfer.body.transfer_uuid}/conference_caller.json`,
      agentKey,
    );
    expect([conf.status, conf.body]).toEqual([200, { success: true }]);
    const unknown = await cc('DELETE', '/transfers/00000000-0000-0000-0000-000000000000.json', agentKey);
    expect([unknown.status, unknown.body]).toEqual([404, { success: false, error: 'transfer not found' }]);
  });
});
