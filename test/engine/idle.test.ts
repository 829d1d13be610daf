import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallStore } from '../../src/store/call-store.js';
import { create } from '../e2e/harness.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { chaosRig } from './rig.js';

/** `whenCallIdle` and `endAll` wait on events (the call's own work count), never by spinning. */
let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

async function number() {
  const a = await create(t, '/targets', 'target', { number: '+14155550001' });
  const c = await create(t, '/campaigns', 'campaign', { name: 'c', target_ids: [a.id] });
  return (await create(t, '/numbers', 'number', { afid: 'p', cid: c.cid })).number as string;
}

describe('waiting for a call to settle', () => {
  it('resolves once the call waits for the network, while another call is stuck in the store', async () => {
    const n = await number();
    let stuck = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // The second call's routing read never returns until released: that call stays busy.
    const rig = chaosRig(t, {
      store: (s): CallStore => ({
        ...s,
        routingList: async (...args) => {
          if (stuck) await gate;
          stuck = true;
          return s.routingList(...args);
        },
      }),
    });
    const first = await rig.call('+13015550001', n);
    const busy = await rig.sim.placeCall('+13015550002', n);
    // The first call is ringing its target: idle, whatever the second one does.
    await rig.engine.whenCallIdle(first.callUuid, 5_000);
    expect(rig.sim.call(first.id).legs.length).toBe(2);
    // The second is busy: the deadline answers for it.
    const started = Date.now();
    await rig.engine.whenCallIdle(busy.callUuid, 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    release();
    await rig.engine.whenCallIdle(busy.callUuid, 5_000);
    expect(rig.sim.call(busy.id).legs.length).toBe(2);
    await rig.engine.endAll('test over');
    expect(rig.engine.liveCalls()).toBe(0);
  });

  it('an unknown or finished call is idle at once', async () => {
    const rig = chaosRig(t);
    await rig.engine.whenCallIdle('no-such-call', 60_000);
    await rig.engine.endAll('nothing live');
  });
});
