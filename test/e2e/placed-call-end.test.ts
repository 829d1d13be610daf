import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { legsOf, record, simOf } from './harness.js';

/**
 * The engine's entry points the RingCentral face added to placed calls: a uuid chosen by the caller, and
 * `parties.end` ending a call whatever state it is in (docs/engine.md "Placed calls").
 */
let t: TestApp;
let sim: ReturnType<typeof simOf>;
beforeAll(async () => {
  t = await createTestApp();
  sim = simOf(t);
});
afterAll(() => t.close());

const A = '+12065550101';
const B = '+12065550102';
const place = (uuid: string) =>
  t.app.engine.place({
    callUuid: uuid,
    companyId: t.companyId,
    from: A,
    first: [[{ to: A, timeoutS: 60 }]],
    second: { to: B, timeoutS: 60 },
  });

describe('placed calls: callUuid and parties.end', () => {
  it('the call takes the uuid it was given', async () => {
    await sim.endpoint(A, { answer_after_s: 30 });
    const uuid = randomUUID();
    expect(await place(uuid)).toBe(uuid);
    expect((await record(t, uuid)).status).toBe('in-progress');
    await t.app.engine.parties.end(t.companyId, uuid, 'test over');
    await sim.advance(1);
  });

  it('ends a call still ringing its first phone: the dial is cancelled, the system hung up', async () => {
    await sim.endpoint(A, { answer_after_s: 30 });
    const uuid = await place(randomUUID());
    await sim.advance(1);
    await t.app.engine.parties.end(t.companyId, uuid, 'session dropped');
    await sim.advance(1);
    const row = await record(t, uuid);
    expect(row).toMatchObject({ status: 'finished', hung_up_by: 'system' });
    const legs = await legsOf(t, uuid);
    expect(legs.map((l) => [l.to_number, l.status])).toEqual([[A, 'cancelled']]);
    await expect(t.app.engine.parties.end(t.companyId, uuid, 'again')).rejects.toThrow('call not live');
  });

  it('ends a connected call: both legs go down, the reason on the first leg', async () => {
    await sim.endpoint(A, { answer_after_s: 1 });
    await sim.endpoint(B, { answer_after_s: 1 });
    const uuid = await place(randomUUID());
    await sim.advance(3);
    expect((await legsOf(t, uuid)).map((l) => l.status)).toEqual(['answered', 'answered']);
    await t.app.engine.parties.end(t.companyId, uuid, 'session dropped');
    await sim.advance(1);
    expect(await record(t, uuid)).toMatchObject({ status: 'finished', hung_up_by: 'system' });
    const legs = await legsOf(t, uuid);
    expect(legs.map((l) => l.status)).toEqual(['ended', 'ended']);
    expect(legs[0].end_reason).toBe('session dropped');
    expect((await sim.show(uuid)).legs.every((l: any) => l.state === 'ended')).toBe(true);
  });

  it('another company cannot end the call', async () => {
    await sim.endpoint(A, { answer_after_s: 30 });
    const uuid = await place(randomUUID());
    await expect(t.app.engine.parties.end(t.companyId + 1000, uuid, 'x')).rejects.toThrow('call not live');
    await t.app.engine.parties.end(t.companyId, uuid, 'test over');
    await sim.advance(1);
  });

  it('forward: the ringing dial is cancelled and the new number rings in its place; answer: it answers now', async () => {
    const C = '+12065550103';
    await sim.endpoint(A, { answer_after_s: 30 });
    await sim.endpoint(C, { answer_after_s: 30 });
    await sim.endpoint(B, { answer_after_s: 1 });
    const uuid = await place(randomUUID());
    await sim.advance(1);
    const [first] = await legsOf(t, uuid);
    const ref = { companyId: t.companyId, callUuid: uuid, direction: 'outbound' as const, to: A };
    await t.app.engine.parties.forward({ ...ref, legId: first.id }, C);
    await sim.advance(0);
    let legs = await legsOf(t, uuid);
    expect(legs.map((l) => [l.to_number, l.status, l.end_reason])).toEqual([
      [A, 'cancelled', `forwarded to ${C}`],
      [C, 'ringing', null],
    ]);
    // Only a leg the dial step rings now can be forwarded or answered.
    await expect(t.app.engine.parties.forward({ ...ref, legId: first.id }, B)).rejects.toThrow(
      'party not ringing',
    );
    await t.app.engine.parties.answer({ ...ref, legId: legs[1].id, to: C });
    await sim.advance(2);
    legs = await legsOf(t, uuid);
    expect(legs.map((l) => [l.to_number, l.status])).toEqual([
      [A, 'cancelled'],
      [C, 'answered'],
      [B, 'answered'],
    ]);
    await expect(t.app.engine.parties.answer({ ...ref, legId: legs[1].id, to: C })).rejects.toThrow(
      'party not ringing',
    );
    await t.app.engine.parties.end(t.companyId, uuid, 'test over');
    await sim.advance(1);
  });
});
