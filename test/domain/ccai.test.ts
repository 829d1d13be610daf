import { describe, expect, it } from 'vitest';
import {
  type CallFacts,
  callState,
  futureInstant,
  holdSeconds,
  type LegFacts,
  menuIdOf,
  offerEvents,
  participantState,
  transferState,
} from '../../src/domain/ccai-calls.js';
import { checkLanguages, deflectionAt, isLanguageCode, menuOpenAt } from '../../src/domain/ccai-menus.js';

const T = Date.UTC(2025, 0, 6, 15, 0, 0); // a Monday
const leg = (over: Partial<LegFacts> = {}): LegFacts => ({
  status: 'ringing',
  started_at: T,
  answered_at: null,
  ended_at: null,
  hung_up_by: null,
  end_reason: null,
  ...over,
});
const facts = (over: Partial<CallFacts> = {}): CallFacts => ({
  kind: 'outbound',
  createdAt: T,
  placedAt: T,
  scheduledAt: null,
  cancelledAt: null,
  unplacedReason: null,
  deflection: null,
  recovers: false,
  record: { connected_time: null, end_time: null, hung_up_by: null, end_reason: null },
  agentLegs: [leg()],
  endUserLeg: null,
  now: T + 10_000,
  ...over,
});

describe('callState', () => {
  it('outbound: assigned from the start, connecting while the end user rings, then connected and finished', () => {
    expect(callState(facts())).toMatchObject({
      status: 'assigned',
      assigned_at: T,
      queued_at: null,
      wait_duration: 10,
    });
    const agent = leg({ status: 'answered', answered_at: T + 2_000 });
    expect(callState(facts({ agentLegs: [agent], endUserLeg: leg({ started_at: T + 2_000 }) })).status).toBe(
      'connecting',
    );
    const connected = { connected_time: T + 4_000, end_time: null, hung_up_by: null, end_reason: null };
    expect(callState(facts({ agentLegs: [agent], record: connected }))).toMatchObject({
      status: 'connected',
      wait_duration: 4,
      call_duration: 6,
    });
    // Once bridged the agent handles the call: the end user is the engine's `caller`, the agent `target`.
    const ended = { ...connected, end_time: T + 64_000, hung_up_by: 'caller' };
    expect(callState(facts({ agentLegs: [agent], record: ended }))).toMatchObject({
      status: 'finished',
      call_duration: 60,
      ends_at: T + 64_000,
      disconnected_by: 'disconnected_by_end_user',
    });
    expect(
      callState(facts({ agentLegs: [agent], record: { ...ended, hung_up_by: 'target' } })),
    ).toMatchObject({
      disconnected_by: 'disconnected_by_agent',
    });
  });

  it('recovered: a callback of a failed call that finished; finished without a failed parent', () => {
    const ended = { connected_time: T + 4_000, end_time: T + 64_000, hung_up_by: 'caller', end_reason: null };
    const agent = leg({ status: 'ended', answered_at: T + 2_000 });
    expect(callState(facts({ agentLegs: [agent], record: ended, recovers: true })).status).toBe('recovered');
    expect(callState(facts({ agentLegs: [agent], record: ended, recovers: false })).status).toBe('finished');
    // Still live, or never connected: a callback shows what it is doing, as any call does.
    expect(
      callState(facts({ agentLegs: [agent], record: { ...ended, end_time: null }, recovers: true })).status,
    ).toBe('connected');
  });

  it('deflected: its menu turned it away when its time came; nothing was placed', () => {
    expect(
      callState(
        facts({ kind: 'scheduled', placedAt: T, record: null, agentLegs: [], deflection: 'after_hours' }),
      ),
    ).toMatchObject({ status: 'deflected', ends_at: T, wait_duration: 0, fail_reason: 'nothing' });
  });

  it('queued calls: queued until an agent answers, assigned at that answer', () => {
    expect(callState(facts({ kind: 'incoming' }))).toMatchObject({
      status: 'queued',
      queued_at: T,
      assigned_at: null,
    });
    const agent = leg({ status: 'answered', answered_at: T + 5_000 });
    expect(callState(facts({ kind: 'incoming', agentLegs: [agent] }))).toMatchObject({
      status: 'assigned',
      assigned_at: T + 5_000,
    });
  });

  it('failed: the side and the reason that kept them apart', () => {
    const ended = {
      connected_time: null,
      end_time: T + 30_000,
      hung_up_by: 'system',
      end_reason: 'first leg not answered',
    };
    expect(
      callState(facts({ record: ended, agentLegs: [leg({ status: 'busy', ended_at: T + 1_000 })] })),
    ).toMatchObject({
      status: 'failed',
      fail_reason: 'agent_busy',
    });
    expect(callState(facts({ record: ended, agentLegs: [] })).fail_reason).toBe('no_available_agent');
    const agent = leg({ status: 'ended', answered_at: T + 2_000, ended_at: T + 30_000 });
    const eu = (status: string) => leg({ status, ended_at: T + 30_000, end_reason: 'ring timeout' });
    expect(
      callState(facts({ record: ended, agentLegs: [agent], endUserLeg: eu('no-answer') })),
    ).toMatchObject({
      fail_reason: 'end_user_no_answer',
      fail_details: 'ring timeout',
    });
    const byAgent = { ...ended, hung_up_by: 'caller' };
    expect(
      callState(facts({ record: byAgent, agentLegs: [agent], endUserLeg: eu('cancelled') })),
    ).toMatchObject({
      fail_reason: 'agent_hung_up',
      disconnected_by: 'disconnected_by_agent',
    });
  });

  it('scheduled, cancelled, and a call that could not be placed', () => {
    const waiting = facts({
      kind: 'scheduled',
      placedAt: null,
      record: null,
      agentLegs: [],
      scheduledAt: T + 3_600_000,
    });
    expect(callState(waiting)).toMatchObject({ status: 'scheduled', wait_duration: 0, queued_at: null });
    expect(callState({ ...waiting, cancelledAt: T + 5_000 })).toMatchObject({
      status: 'cancelled',
      ends_at: T + 5_000,
    });
    expect(callState({ ...waiting, placedAt: T, unplacedReason: 'no_available_agent' })).toMatchObject({
      status: 'failed',
      fail_reason: 'no_available_agent',
    });
  });
});

describe('participants and offers', () => {
  it('waiting while ringing, connected once answered, finished or failed at the end', () => {
    expect(participantState(null, T).status).toBe('waiting');
    expect(participantState(leg(), T).status).toBe('waiting');
    expect(participantState(leg({ status: 'no-answer', ended_at: T + 30_000 }), T)).toMatchObject({
      status: 'failed',
      fail_reason: 'no_answer',
    });
    expect(participantState(leg({ answered_at: T, ended_at: T + 90_000 }), T)).toMatchObject({
      status: 'finished',
      call_duration: 90,
    });
  });

  it('hold_duration: the periods on hold, an open one running to the leg end', () => {
    const answered = leg({ answered_at: T, ended_at: T + 90_000 });
    const holds = [
      { started_at: T + 10_000, ended_at: T + 25_000 },
      { started_at: T + 60_000, ended_at: null },
    ];
    expect(participantState(answered, T + 200_000, holds).hold_duration).toBe(15 + 30);
    expect(participantState(answered, T + 200_000).hold_duration).toBe(0);
  });

  it('holdSeconds: overlapping periods count once; open ones run to the end', () => {
    expect(holdSeconds([], T)).toBe(0);
    expect(
      holdSeconds(
        [
          { started_at: T, ended_at: T + 10_000 },
          { started_at: T + 5_000, ended_at: T + 20_000 },
          { started_at: T + 40_000, ended_at: null },
        ],
        T + 47_000,
      ),
    ).toBe(20 + 7);
  });

  it('transfers: transferring, transferred once the transferee has the call, cancelled, failed with why', () => {
    const t = (status: string, transferorGone = false, l: LegFacts | null = null) =>
      transferState({ status, transferorGone, leg: l });
    expect(t('dialing')).toEqual({ status: 'transferring', fail_reason: 'nothing' });
    expect(t('answered').status).toBe('transferring');
    expect(t('answered', true).status).toBe('transferred');
    expect(t('conferenced', true).status).toBe('transferred');
    expect(t('ended').status).toBe('transferred');
    expect(t('stopped')).toEqual({ status: 'cancelled', fail_reason: 'nothing' });
    expect(t('failed', false, leg({ status: 'busy', ended_at: T }))).toEqual({
      status: 'failed',
      fail_reason: 'busy',
    });
  });

  it('one offer event per group of phones rung together', () => {
    const cascade = [leg(), leg({ started_at: T + 30_000 })];
    expect(offerEvents(cascade)).toEqual([
      { casting_time: T, group: 'Group 1' },
      { casting_time: T + 30_000, group: 'Group 2' },
    ]);
    expect(offerEvents([leg(), leg(), leg()])).toHaveLength(1);
  });
});

describe('request values', () => {
  it('scheduled_at must be ISO 8601 and in the future', () => {
    expect(futureInstant('2025-01-07T15:00:00.000Z', T)).toBe(Date.UTC(2025, 0, 7, 15));
    expect(futureInstant('2025-01-07T10:00:00-05:00', T)).toBe(Date.UTC(2025, 0, 7, 15));
    for (const bad of [
      '2019-09-15T00:19:14.421Z',
      '2025-01-06T15:00:00Z',
      'tomorrow',
      '2025-01-07',
      1736262000000,
    ])
      expect(futureInstant(bad, T), String(bad)).toBeUndefined();
  });

  it('menu ids are positive integers, as numbers or digit strings', () => {
    expect(menuIdOf(9)).toBe(9);
    expect(menuIdOf('9')).toBe(9);
    for (const bad of ['menu_999', 0, -1, 1.5, '', null, true]) expect(menuIdOf(bad)).toBeUndefined();
  });
});

describe('menus', () => {
  it('ISO 639-1 codes: known two-letter codes only', () => {
    expect(isLanguageCode('en')).toBe(true);
    expect(isLanguageCode('ko')).toBe(true);
    expect(isLanguageCode('xy')).toBe(false);
    expect(isLanguageCode('eng')).toBe(false);
    expect(checkLanguages(['EN', 'fr', 'en'])).toEqual(['en', 'fr']);
    expect(() => checkLanguages([])).toThrow();
  });

  it('deflection: manual redirection first, then after hours; an open menu deflects nothing', () => {
    const closed = { time_zone: 'UTC', schedule: [] };
    expect(deflectionAt({ manual_redirection: 1, hours: closed }, T)).toBe('manual_redirection');
    expect(deflectionAt({ manual_redirection: 0, hours: closed }, T)).toBe('after_hours');
    expect(deflectionAt({ manual_redirection: 0, hours: null }, T)).toBeNull();
  });

  it('hours: no hours is always open; otherwise only inside an interval of that weekday, in the zone', () => {
    expect(menuOpenAt(null, T)).toBe(true);
    const hours = {
      time_zone: 'America/New_York',
      schedule: [{ day: 'monday' as const, open: '09:00', close: '10:00' }],
    };
    expect(menuOpenAt(hours, T)).toBe(false); // 10:00 in New York: the close is exclusive
    expect(menuOpenAt(hours, T - 60_000)).toBe(true); // 09:59
    expect(menuOpenAt(hours, T - 3_660_000)).toBe(false); // 08:59
    expect(menuOpenAt({ ...hours, schedule: [] }, T)).toBe(false);
    expect(menuOpenAt(hours, T + 86_400_000 - 3_600_000)).toBe(false); // Tuesday 09:00
  });
});
