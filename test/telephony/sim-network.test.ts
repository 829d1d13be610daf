import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { DriverEvent } from '../../src/telephony/driver.js';
import { SimNetwork } from '../../src/telephony/sim/network.js';

function network(max?: number) {
  const clock = new ManualClock();
  const sim = new SimNetwork(clock, max);
  const events: DriverEvent[] = [];
  let n = 0;
  sim.attach({ incoming: async () => `call-${++n}`, event: (e) => events.push(e) });
  return { clock, sim, events };
}

describe('SimNetwork endpoints', () => {
  it('answers unknown endpoints after 2 s, and plays each scripted behaviour', async () => {
    const { clock, sim, events } = network();
    const { callUuid } = await sim.placeCall('+13015550123', '+18005550100');
    sim.endpoints.set('+14155550002', { ...sim.endpoints.get('x'), busy: true });
    sim.endpoints.set('+14155550003', { ...sim.endpoints.get('x'), noAnswer: true });
    await sim.originate('cmd-a', { leg: 'a', callUuid, to: '+14155550001', from: '+1', timeoutS: 30 });
    await sim.originate('cmd-b', { leg: 'b', callUuid, to: '+14155550002', from: '+1', timeoutS: 30 });
    await sim.originate('cmd-c', { leg: 'c', callUuid, to: '+14155550003', from: '+1', timeoutS: 10 });
    await clock.advance(2000);
    expect(events.filter((e) => e.type !== 'ringing').map((e) => [e.type, 'leg' in e ? e.leg : ''])).toEqual([
      ['busy', 'b'],
      ['answered', 'a'],
    ]);
    await clock.advance(8000);
    // Each outcome echoes the originate it answers (the driver contract's command ids).
    expect(events.at(-1)).toEqual({ type: 'noAnswer', leg: 'c', cmd: 'cmd-c' });
    expect(events.find((e) => e.type === 'busy')).toEqual({ type: 'busy', leg: 'b', cmd: 'cmd-b' });
  });

  it('echoes the play command in playDone, and sends none for a prompt that was stopped or replaced', async () => {
    const { clock, sim, events } = network();
    const placed = await sim.placeCall('+13015550123', '+18005550100');
    const leg = sim.call(placed.id).legs[0].id;
    await sim.answer('a1', leg);
    const prompt = { kind: 'tts' as const, text: 'one two three four five', voice: 'Male' as const };
    await sim.play('p1', leg, prompt);
    await sim.play('p2', leg, prompt);
    await clock.advance(10_000);
    await sim.play('p3', leg, prompt);
    await sim.stopPlay('s3', leg);
    await clock.advance(10_000);
    expect(events.filter((e) => e.type === 'playDone')).toEqual([{ type: 'playDone', leg, cmd: 'p2' }]);
  });
});

describe('SimNetwork memory', () => {
  it('forgets the oldest finished calls beyond its limit, never a live one', async () => {
    const { sim } = network(4);
    const placed: { id: string; callUuid: string }[] = [];
    for (let i = 0; i < 6; i++) placed.push(await sim.placeCall(`+1301555010${i}`, '+18005550100'));
    // the first call stays up; the others end
    for (const p of placed.slice(1, 5)) sim.hangupFromNetwork(p.id);
    await sim.placeCall('+13015550199', '+18005550100');
    expect(() => sim.call(placed[0].id)).not.toThrow();
    expect(() => sim.call(placed[1].id)).toThrow();
    expect(() => sim.call(placed[5].id)).not.toThrow();
  });
});
