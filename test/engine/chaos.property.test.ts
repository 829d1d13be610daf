import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_TIMEOUT_MS } from '../../src/telephony/driver.js';
import type { EndpointBehaviour } from '../../src/telephony/sim/endpoints.js';
import { create } from '../e2e/harness.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { chaosRig } from './rig.js';

/**
 * Random call scripts through the chaos driver (failing, stalling, dropped, late, duplicated and stray
 * events), checking what must hold whatever the network does: every call ends, its record adds up, no
 * lease is left, each webhook/pixel is enqueued once, nothing rejects unhandled. Seeded: a failure
 * prints the seed and path to replay it (`CHAOS_SEED=… CHAOS_PATH=…`).
 */
const RUNS = Number(process.env.CHAOS_RUNS ?? 60);
const MAX_CALL_S = 300;
const CALLER = '+13015550123';
const A = '+14155550001';
const B = '+14155550002';
const TRANSFEREE = '+14155550099';

let t: TestApp;
/** Straight to the routing list; and the same behind a greeting (no key needed: option 1 routes). */
let numbers: { plain: string; greeted: string };
let targetIds: number[];
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  t = await createTestApp();
  const a = await create(t, '/targets', 'target', { number: A, priority: 1, timeout_seconds: 15 });
  const b = await create(t, '/targets', 'target', { number: B, priority: 2, timeout_seconds: 15 });
  targetIds = [a.id, b.id];
  const plain = await create(t, '/campaigns', 'campaign', { name: 'chaos', target_ids: [a.id, b.id] });
  const greeted = await create(t, '/campaigns', 'campaign', {
    name: 'chaos greeted',
    target_ids: [a.id, b.id],
    message: 'press one for sales',
    repeat: 2,
    menu_options_attributes: [{ option: '1', target_cid: plain.cid }],
  });
  for (const c of [plain, greeted])
    await create(t, `/campaigns/cid/${c.cid}/webhooks`, 'webhook', {
      name: 'all',
      url: 'https://hooks.example.com/calls',
      events: ['call_started', 'call_connected', 'call_ended'],
    });
  numbers = {
    plain: (await create(t, '/numbers', 'number', { afid: 'p', cid: plain.cid })).number,
    greeted: (await create(t, '/numbers', 'number', { afid: 'p', cid: greeted.cid })).number,
  };
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await t.close();
});

const behaviour: fc.Arbitrary<Partial<EndpointBehaviour>> = fc.oneof(
  fc.record({
    answerAfterS: fc.integer({ min: 0, max: 20 }),
    hangupAfterS: fc.option(fc.integer({ min: 1, max: 400 })),
  }),
  fc.constant({ busy: true }),
  fc.constant({ noAnswer: true }),
  fc.constant({ reject: true }),
  fc.constant({ unreachable: true }),
);

const scenario = fc.record({
  seed: fc.integer(),
  fail: fc.double({ min: 0, max: 0.2, noNaN: true }),
  stall: fc.double({ min: 0, max: 0.05, noNaN: true }),
  drop: fc.double({ min: 0, max: 0.15, noNaN: true }),
  delay: fc.double({ min: 0, max: 0.2, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.1, noNaN: true }),
  stray: fc.double({ min: 0, max: 0.1, noNaN: true }),
  lateAnswer: fc.double({ min: 0, max: 0.5, noNaN: true }),
  a: behaviour,
  b: behaviour,
  greeted: fc.boolean(),
  pressAtS: fc.option(fc.integer({ min: 0, max: 10 })),
  callerHangsUpAtS: fc.option(fc.integer({ min: 0, max: 400 })),
  transferAtS: fc.option(fc.integer({ min: 1, max: 60 })),
  holdCaller: fc.boolean(),
});

describe('chaos: random call scripts through a misbehaving network', () => {
  it('every call ends, adds up, leaves no lease, fires each event once', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const { seeded } = await import('./chaos-driver.js');
        const rig = chaosRig(t, { ...sc, random: seeded(sc.seed), maxCallSeconds: MAX_CALL_S });
        for (const [num, b] of [
          [A, sc.a],
          [B, sc.b],
        ] as const)
          rig.sim.endpoints.set(num, { ...rig.sim.endpoints.get('none'), ...b });
        const call = await rig.call(CALLER, sc.greeted ? numbers.greeted : numbers.plain);
        const at = (s: number | null, fn: () => void | Promise<void>) => {
          if (s !== null) rig.clock.schedule(s * 1000, fn);
        };
        at(sc.pressAtS, () => {
          if (rig.sim.leg(call.inLeg).state === 'answered') rig.sim.pressDigits(call.inLeg, '1');
        });
        at(sc.callerHangsUpAtS, () => {
          if (rig.sim.leg(call.inLeg).state !== 'ended') rig.sim.hangupFromNetwork(call.inLeg);
        });
        // Not awaited: the answer may wait on a command deadline, which needs the clock to move on.
        at(sc.transferAtS, () => {
          const target = targetIds[0];
          void rig.engine.callControl
            .transfer(
              call.callUuid,
              {
                keyId: 1,
                companyId: t.companyId,
                targetId: target,
                targetGroupId: null,
                targetIds,
                numbers: [A, B],
                actions: ['transfer'],
                returnTimeoutSeconds: 60,
              },
              { holdCaller: sc.holdCaller, transferTo: TRANSFEREE },
            )
            .catch(() => undefined);
        });
        // Well past the hard limit: every deadline and timer has had its chance.
        for (let s = 0; s < MAX_CALL_S + 120; s += 30) await rig.clock.advance(30_000);
        await check(rig, call.callUuid);
      }),
      {
        numRuns: RUNS,
        seed: process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : undefined,
        path: process.env.CHAOS_PATH,
        endOnFailure: true,
        reporter: (out) => {
          if (out.failed)
            throw new Error(
              `chaos property failed — replay with CHAOS_SEED=${out.seed} CHAOS_PATH=${out.counterexamplePath}\n` +
                `${JSON.stringify(out.counterexample)}\n${out.errorInstance}`,
            );
        },
      },
    );
  });
});

async function check(rig: ReturnType<typeof chaosRig>, uuid: string) {
  const db = t.app.store.db;
  expect(rig.engine.liveCalls(), 'live calls').toBe(0);
  expect(unhandled, 'unhandled rejections').toEqual([]);
  expect(
    rig.logs.filter((l) => l.level === 'error'),
    'errors logged',
  ).toEqual([]);
  for (const id of targetIds) expect(rig.occupancy.inProgress(`target:${id}`), `lease of ${id}`).toBe(0);

  const r = await db.selectFrom('calls').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
  expect(r.status).not.toBe('in-progress');
  expect(r.end_time).not.toBeNull();
  expect(r.hung_up_by).not.toBeNull();
  expect(r.total_duration).toBe(Math.round((r.end_time! - r.start_time) / 1000));
  // The limit ends the call; a command stalled at that moment may hold it up to its own deadline.
  expect(r.total_duration).toBeLessThanOrEqual(MAX_CALL_S + (2 * COMMAND_TIMEOUT_MS) / 1000);
  expect(r.dialed_call_duration).toBeLessThanOrEqual(r.total_duration);
  expect(r.connected === 1).toBe(r.connected_time !== null);
  const legs = await db.selectFrom('call_legs').selectAll().where('call_uuid', '=', uuid).execute();
  for (const l of legs) expect(l.ended_at, `leg ${l.direction} ${l.to_number} ${l.status}`).not.toBeNull();
  const transfers = await db.selectFrom('call_transfers').selectAll().where('call_uuid', '=', uuid).execute();
  for (const x of transfers) expect(x.ended_at, `transfer ${x.status}`).not.toBeNull();
  for (const down of transfers) {
    const d = await db
      .selectFrom('calls')
      .select(['status', 'end_time'])
      .where('uuid', '=', down.downstream_call_uuid)
      .executeTakeFirstOrThrow();
    expect(d.end_time, 'downstream call ended').not.toBeNull();
  }

  const fired = await db.selectFrom('fired_pixels').selectAll().where('call_uuid', '=', uuid).execute();
  const byEvent = new Map<string, number>();
  const deliveries = await db.selectFrom('deliveries').selectAll().where('call_uuid', '=', uuid).execute();
  for (const d of deliveries) {
    const ev = d.body ? (JSON.parse(d.body).event as string) : 'pixel';
    byEvent.set(ev, (byEvent.get(ev) ?? 0) + 1);
  }
  expect(byEvent.get('call_ended'), 'call_ended webhooks').toBe(1);
  expect(byEvent.get('call_started') ?? 0).toBeLessThanOrEqual(1);
  // Once per handler that was joined to the caller (A, then B after a failed bridge or a return).
  expect(byEvent.get('call_connected') ?? 0).toBeLessThanOrEqual(2);
  expect(deliveries.length, 'one delivery per fired row').toBe(fired.length);
  expect(new Set(deliveries.map((d) => d.fired_pixel_id)).size, 'no row delivered twice').toBe(
    deliveries.length,
  );
}
