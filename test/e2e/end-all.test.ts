import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { legsOf, record, simOf, trackedNumber } from './harness.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

describe('engine.endAll (shutdown)', () => {
  it('ends calls in the menu and connected calls as the system, with the reason on the caller leg', async () => {
    const sim = simOf(t);
    const { number } = await trackedNumber(t, {
      message: 'Press one for sales.',
      menu_options_attributes: [{ option: '1', target_number: '+14155550101' }],
    });
    const inMenu = await sim.call('+13015550123', number);
    const talking = await sim.call('+13015550124', number);
    await sim.advance(1);
    await sim.press(talking.id, '1');
    await sim.advance(5);
    expect((await sim.show(talking.id)).hearing).toEqual({ kind: 'connected', party: '+14155550101' });
    expect(t.app.engine.liveCalls()).toBe(2);

    await t.app.engine.endAll('server shutting down');

    expect(t.app.engine.liveCalls()).toBe(0);
    for (const call of [inMenu, talking]) {
      expect(await record(t, call.call_uuid)).toMatchObject({ status: 'finished', hung_up_by: 'system' });
      const caller = (await legsOf(t, call.call_uuid)).find((l) => l.direction === 'inbound')!;
      expect(caller).toMatchObject({ status: 'ended', end_reason: 'server shutting down' });
      expect((await sim.show(call.id)).state).toBe('ended');
    }
    const target = (await legsOf(t, talking.call_uuid)).find((l) => l.direction === 'outbound')!;
    expect(target.status).toBe('ended');
    expect((await record(t, talking.call_uuid)).total_duration).toBe(6);
  });

  it('does nothing without live calls', async () => {
    await t.app.engine.endAll('server shutting down');
    expect(t.app.engine.liveCalls()).toBe(0);
  });
});
