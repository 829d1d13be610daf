import { describe, expect, it } from 'vitest';
import {
  effectiveSeconds,
  isDuplicateCall,
  saleTimerSchedule,
  type Timer,
  type TimerCallFacts,
  timersAtEnd,
  timersAtStart,
} from '../../src/domain/timers.js';

const T0 = Date.parse('2024-11-04T16:00:00Z');
const s = (n: number) => n * 1000;
const timer = (id: number, seconds: number): Timer => ({ id, seconds, url: `http://px.test/${id}` });
const ids = (ts: Timer[]) => ts.map((t) => t.id);

// The seed's campaign: a click timer and a 90 s sale timer, plus a 30 s one and an end-of-call timer.
const timers = [timer(199, 90), timer(195, 0), timer(200, 30), timer(201, -1)];

/** A call answered 20 s after it started, lasting `connected` seconds. */
function call(connected: number | null, extra: Partial<TimerCallFacts> = {}): TimerCallFacts {
  const connectedAt = connected === null ? null : T0 + s(20);
  return {
    startedAt: T0,
    connectedAt,
    endedAt: connectedAt === null ? T0 + s(40) : connectedAt + s(connected!),
    timerOffsetS: 0,
    duplicate: false,
    ...extra,
  };
}

describe('click timers (0 s)', () => {
  it('fire at call start, all of them, in creation order', () => {
    expect(ids(timersAtStart([...timers, timer(150, 0)], { duplicate: false }))).toEqual([150, 195]);
  });

  it('are suppressed for a duplicate call', () => {
    expect(timersAtStart(timers, { duplicate: true })).toEqual([]);
  });

  it('ignore sale and end timers', () => {
    expect(timersAtStart([timer(1, 30), timer(2, -5)], { duplicate: false })).toEqual([]);
  });
});

describe('sale timers (> 0 s)', () => {
  it('fire only the highest reached: a 2 minute call with 30 and 90 fires the 90 only', () => {
    expect(ids(saleTimerSchedule(timers, call(120)).atEnd)).toEqual([199]);
  });

  it('fire the lower one when the higher was not reached', () => {
    expect(ids(saleTimerSchedule(timers, call(60)).atEnd)).toEqual([200]);
  });

  it('fire none below the lowest threshold, and count from the answer, not the start', () => {
    // 40 s since the start, but only 29 s connected.
    expect(saleTimerSchedule(timers, call(29)).atEnd).toEqual([]);
  });

  it('compare milliseconds: 89.999 s does not reach 90, exactly 90 does', () => {
    const almost = call(0, { endedAt: T0 + s(20) + 89_999 });
    expect(ids(saleTimerSchedule(timers, almost).atEnd)).toEqual([200]);
    expect(ids(saleTimerSchedule(timers, call(90)).atEnd)).toEqual([199]);
  });

  it('schedule the highest timer early, due at answer + its seconds, while the call is up', () => {
    const live = call(0, { endedAt: null });
    const plan = saleTimerSchedule(timers, live);
    expect(plan.early).toEqual({ timers: [timers[0]], dueAt: T0 + s(20) + s(90) });
    expect(plan.atEnd).toEqual([]); // not decided before the end
  });

  it('keep the early plan for an ended call that reached it (the engine skips re-firing)', () => {
    const plan = saleTimerSchedule(timers, call(120));
    expect(plan.early?.dueAt).toBe(T0 + s(110));
    expect(ids(plan.atEnd)).toEqual(ids(plan.early!.timers));
  });

  it('drop the early plan when the call ended before it was due', () => {
    expect(saleTimerSchedule(timers, call(60)).early).toBeNull();
  });

  it('fire every timer sharing the highest seconds value, in creation order', () => {
    const two = [timer(9, 90), timer(3, 90), timer(4, 30)];
    expect(ids(saleTimerSchedule(two, call(100)).atEnd)).toEqual([3, 9]);
    expect(ids(saleTimerSchedule(two, call(0, { endedAt: null })).early!.timers)).toEqual([3, 9]);
  });

  it('never fire for a call that was not answered', () => {
    expect(saleTimerSchedule(timers, call(null))).toEqual({ early: null, atEnd: [] });
  });

  it('are suppressed for a duplicate call', () => {
    expect(saleTimerSchedule(timers, call(120, { duplicate: true }))).toEqual({ early: null, atEnd: [] });
  });

  it('move by the target timer_offset', () => {
    // offset +30: the 90 s timer needs 120 s connected, the 30 s one 60 s.
    expect(ids(saleTimerSchedule(timers, call(119, { timerOffsetS: 30 })).atEnd)).toEqual([200]);
    expect(ids(saleTimerSchedule(timers, call(120, { timerOffsetS: 30 })).atEnd)).toEqual([199]);
    expect(saleTimerSchedule(timers, call(0, { endedAt: null, timerOffsetS: 30 })).early?.dueAt).toBe(
      T0 + s(20) + s(120),
    );
    // offset -60: the 90 s timer needs only 30 s.
    expect(ids(saleTimerSchedule(timers, call(30, { timerOffsetS: -60 })).atEnd)).toEqual([199]);
  });

  it('clamp an offset threshold at 0: a large negative offset fires at the answer', () => {
    expect(effectiveSeconds(30, -100)).toBe(0);
    expect(ids(saleTimerSchedule(timers, call(0, { timerOffsetS: -100 })).atEnd)).toEqual([199]);
    expect(saleTimerSchedule(timers, call(0, { endedAt: null, timerOffsetS: -100 })).early?.dueAt).toBe(
      T0 + s(20),
    );
  });

  it('do nothing without sale timers', () => {
    expect(saleTimerSchedule([timer(1, 0), timer(2, -1)], call(500))).toEqual({ early: null, atEnd: [] });
  });
});

describe('end timers (< 0 s)', () => {
  it('fire once the call has ended, most negative first', () => {
    expect(ids(timersAtEnd([timer(1, -1), timer(2, -30), timer(3, 90)], call(10)))).toEqual([2, 1]);
  });

  it('fire for unanswered and duplicate calls alike (dedupe does not affect them)', () => {
    expect(ids(timersAtEnd(timers, call(null)))).toEqual([201]);
    expect(ids(timersAtEnd(timers, call(5, { duplicate: true })))).toEqual([201]);
  });

  it('wait while the call is still up', () => {
    expect(timersAtEnd(timers, { endedAt: null })).toEqual([]);
  });
});

describe('isDuplicateCall', () => {
  it('is off with dedupe_seconds 0 or without an earlier call', () => {
    expect(isDuplicateCall(T0, T0 - s(1), 0)).toBe(false);
    expect(isDuplicateCall(T0, null, 86_400)).toBe(false);
  });

  it('flags a repeat within the window, exclusive at its end', () => {
    expect(isDuplicateCall(T0, T0 - s(86_399), 86_400)).toBe(true);
    expect(isDuplicateCall(T0, T0 - s(86_400), 86_400)).toBe(false);
    expect(isDuplicateCall(T0, T0, 60)).toBe(true);
  });

  it('ignores an "earlier" call that started after this one', () => {
    expect(isDuplicateCall(T0, T0 + s(1), 60)).toBe(false);
  });
});
