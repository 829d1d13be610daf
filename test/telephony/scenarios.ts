/**
 * Whole-call scenarios written once and played on both drivers (test/telephony/scenarios.test.ts): on
 * the sim with its manual clock, and on the sip driver with sipp as caller and targets. A scenario says
 * what the targets do, how the campaign routes, what the caller does, and what the call's record and
 * legs must say afterwards — only facts both networks agree on (no wall-clock durations).
 */
import { expect } from 'vitest';

export type TargetKind = 'answer' | 'busy' | 'no-answer' | 'answer-then-hangup';

export interface CallerPlan {
  /** Keys pressed once the greeting plays. */
  press?: string;
  /** Who ends the call: the caller after talking a while, or the far end (the caller waits). */
  hangup: 'caller' | 'remote';
}

export interface Outcome {
  call: Record<string, any>;
  legs: {
    direction: string;
    to_number: string;
    status: string;
    hung_up_by: string | null;
    answered_at: number | null;
  }[];
  targets: { id: number; number: string }[];
  number: string;
}

export interface Scenario {
  name: string;
  targets: TargetKind[];
  /** Campaign attributes; by default the targets in priority order. */
  campaign?: (targets: { id: number; number: string }[]) => Record<string, unknown>;
  caller: CallerPlan;
  check(o: Outcome): void;
}

export const CALLER = '+15557654321';

export const SCENARIOS: Scenario[] = [
  {
    name: 'direct forward: the caller reaches the target, talks and hangs up',
    targets: ['answer'],
    caller: { hangup: 'caller' },
    check: ({ call, legs, targets, number }) => {
      expect(call).toMatchObject({
        caller: CALLER,
        target_id: targets[0].id,
        dialed_number: targets[0].number,
        connected: 1,
        hung_up_by: 'caller',
        status: 'finished',
      });
      expect(legs.map((l) => [l.direction, l.to_number, l.status, l.hung_up_by])).toEqual([
        ['inbound', number, 'ended', 'caller'],
        ['outbound', targets[0].number, 'ended', 'caller'],
      ]);
      // The same instant on the sim; within a moment on a real network (two writes of one answer).
      expect(Math.abs(call.connected_time - legs[1].answered_at!)).toBeLessThan(1000);
    },
  },
  {
    name: 'fails over from a busy target (486) to the next one',
    targets: ['busy', 'answer'],
    caller: { hangup: 'caller' },
    check: ({ call, legs, targets }) => {
      expect(call).toMatchObject({ target_id: targets[1].id, connected: 1, hung_up_by: 'caller' });
      expect(legs.map((l) => [l.to_number, l.status])).toEqual([
        [expect.any(String), 'ended'],
        [targets[0].number, 'busy'],
        [targets[1].number, 'ended'],
      ]);
    },
  },
  {
    name: 'fails over from a target that does not answer (its timeout) to the next one',
    targets: ['no-answer', 'answer'],
    caller: { hangup: 'caller' },
    check: ({ call, legs, targets }) => {
      expect(call).toMatchObject({ target_id: targets[1].id, connected: 1 });
      expect(legs.map((l) => [l.to_number, l.status])).toEqual([
        [expect.any(String), 'ended'],
        [targets[0].number, 'no-answer'],
        [targets[1].number, 'ended'],
      ]);
    },
  },
  {
    name: 'the target hangs up first: the caller is hung up',
    targets: ['answer-then-hangup'],
    caller: { hangup: 'remote' },
    check: ({ call, legs, targets }) => {
      expect(call).toMatchObject({ target_id: targets[0].id, connected: 1, hung_up_by: 'target' });
      expect(legs.map((l) => [l.status, l.hung_up_by])).toEqual([
        ['ended', 'target'],
        ['ended', 'target'],
      ]);
    },
  },
  {
    name: 'IVR: the caller presses 2 and the menu routes to option 2; the key is recorded',
    targets: ['answer'],
    campaign: (targets) => ({
      message: 'Press one for sales or two for support.',
      menu_options_attributes: [
        { option: '1', target_number: '+14155550001' },
        { option: '2', target_number: targets[0].number },
      ],
    }),
    caller: { press: '2', hangup: 'caller' },
    check: ({ call, legs, targets }) => {
      expect(JSON.parse(call.keys_pressed)).toEqual(['2']);
      expect(call).toMatchObject({ dialed_number: targets[0].number, connected: 1, hung_up_by: 'caller' });
      expect(legs.map((l) => [l.direction, l.to_number, l.status])).toEqual([
        ['inbound', expect.any(String), 'ended'],
        ['outbound', targets[0].number, 'ended'],
      ]);
    },
  },
];
