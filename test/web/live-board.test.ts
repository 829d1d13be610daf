import { describe, expect, it } from 'vitest';
import {
  type BoardState,
  elapsed,
  initialBoard,
  reduceBoard,
  type StreamMessage,
} from '../../web/src/live/board.js';

const row = (uuid: string, extra: object = {}) => ({
  uuid,
  caller: '+13015550100',
  number: '+18005550100',
  campaign_name: 'Solar',
  cid: 'solar',
  affiliate_name: null,
  afid: 'pub1',
  start_time: 1_000,
  connected_time: null,
  legs: [
    { id: `${uuid}-in`, direction: 'inbound', to: '+18005550100', status: 'answered', started_at: 1_000 },
  ],
  ...extra,
});

const run = (...msgs: StreamMessage[]): BoardState => msgs.reduce(reduceBoard, initialBoard);
const ev = (data: any): StreamMessage => ({ event: 'event', data, receivedAt: 0 });

describe('the Live board state', () => {
  it('starts from the snapshot, with the server clock offset and today’s counters', () => {
    const s = run({
      event: 'snapshot',
      data: { calls: [row('a', { connected_time: 2_000 })], today: { calls: 3, connected: 1 }, now: 10_000 },
      receivedAt: 4_000,
    });
    expect(s.connected).toBe(true);
    expect(s.offset).toBe(6_000);
    expect(s.calls).toMatchObject([{ uuid: 'a', state: 'Connected', campaign: 'Solar', publisher: 'pub1' }]);
    expect(s.today).toEqual({ calls: 3, connected: 1 });
  });

  it('follows a call from its start through ringing and connection to its end', () => {
    const snapshot: StreamMessage = {
      event: 'snapshot',
      data: { calls: [], today: { calls: 0, connected: 0 }, now: 0 },
      receivedAt: 0,
    };
    const s = run(
      snapshot,
      { event: 'call', data: row('b'), receivedAt: 0 },
      ev({ type: 'call.updated', callUuid: 'b', at: 1_100, status: 'in-progress', step: 'ivr' }),
      ev({
        type: 'leg.updated',
        callUuid: 'b',
        legId: 'b-out',
        at: 1_200,
        direction: 'outbound',
        status: 'ringing',
        to: '+14155550100',
      }),
    );
    expect(s.calls[0].state).toBe('Ringing +14155550100');
    expect(s.calls[0].legs.map((l) => l.status)).toEqual(['answered', 'ringing']);
    expect(s.today.calls).toBe(1);
    const connected = run(
      snapshot,
      { event: 'call', data: row('b'), receivedAt: 0 },
      ev({
        type: 'leg.updated',
        callUuid: 'b',
        legId: 'b-out',
        at: 1_200,
        direction: 'outbound',
        status: 'answered',
        to: '+14155550100',
      }),
      ev({ type: 'call.updated', callUuid: 'b', at: 1_300, status: 'in-progress', step: 'connected' }),
      ev({ type: 'call.updated', callUuid: 'b', at: 1_300, status: 'in-progress', step: 'connected' }),
    );
    expect(connected.calls[0].state).toBe('Connected');
    expect(connected.today.connected).toBe(1);
    const ended = reduceBoard(
      connected,
      ev({ type: 'call.ended', callUuid: 'b', at: 9_000, status: 'finished', hungUpBy: 'caller' }),
    );
    expect(ended.calls).toEqual([]);
    expect(ended.ended[0]).toMatchObject({
      uuid: 'b',
      state: 'Ended',
      outcome: 'finished, hung up by caller',
      endedAt: 9_000,
    });
    expect(ended.ended[0].timeline.map((t) => t.text)).toContain('+14155550100: answered');
  });

  it('shows a transfer: the caller on hold, then a conference with its participants, then with one party', () => {
    const leg = (id: string, to: string, at: number) =>
      ev({
        type: 'leg.updated',
        callUuid: 'c',
        legId: id,
        at,
        direction: 'outbound',
        status: 'answered',
        to,
      });
    const flow = (event: string, at: number, details: object) =>
      ev({ type: 'call.flow', callUuid: 'c', at, event, details });
    const start: StreamMessage[] = [
      {
        event: 'snapshot',
        data: { calls: [row('c')], today: { calls: 1, connected: 0 }, now: 0 },
        receivedAt: 0,
      },
      leg('agent', '+14155550100', 1_100),
      flow('held', 2_000, { transfer_uuid: 't', parties: 1 }),
      leg('transferee', '+14155550199', 2_500),
    ];
    const held = run(...start);
    expect(held.calls[0]).toMatchObject({ state: 'On hold' });
    expect(held.calls[0].participants).toBeUndefined();
    const conference = run(...start, flow('conference', 3_000, { transfer_uuid: 't', parties: 3 }));
    expect(conference.calls[0]).toMatchObject({
      state: 'Conference',
      participants: ['Caller +13015550100', '+14155550100', '+14155550199'],
    });
    expect(conference.calls[0].timeline.at(-1)!.text).toBe(
      'Conference: Caller +13015550100, +14155550100, +14155550199',
    );
    const alone = run(
      ...start,
      flow('conference', 3_000, { transfer_uuid: 't', parties: 3 }),
      flow('bridged', 4_000, { transfer_uuid: null, parties: 2, with: '+14155550199' }),
    );
    expect(alone.calls[0]).toMatchObject({ state: 'Connected' });
    expect(alone.calls[0].participants).toBeUndefined();
  });

  it('says why a call ended when the engine says more than the status', () => {
    const s = run(
      {
        event: 'snapshot',
        data: { calls: [row('d')], today: { calls: 1, connected: 0 }, now: 0 },
        receivedAt: 0,
      },
      ev({
        type: 'call.ended',
        callUuid: 'd',
        at: 30_000,
        status: 'finished',
        hungUpBy: 'system',
        reason: 'no key pressed',
      }),
    );
    expect(s.ended[0].outcome).toBe('finished, hung up by system (no key pressed)');
  });

  it('counts a call once when it is both in the snapshot and announced', () => {
    const s = run(
      {
        event: 'snapshot',
        data: { calls: [row('c')], today: { calls: 1, connected: 0 }, now: 0 },
        receivedAt: 0,
      },
      { event: 'call', data: row('c'), receivedAt: 0 },
    );
    expect(s.calls).toHaveLength(1);
    expect(s.today.calls).toBe(1);
  });

  it('ignores events of calls it does not show, and marks a dropped stream', () => {
    const s = run(ev({ type: 'call.updated', callUuid: 'zz', at: 1, status: 'x', step: 'ivr' }), {
      event: 'closed',
    });
    expect(s.calls).toEqual([]);
    expect(s.connected).toBe(false);
  });

  it('formats elapsed time', () => {
    expect(elapsed(0, 65_000)).toBe('1:05');
    expect(elapsed(0, 3_725_000)).toBe('1:02:05');
    expect(elapsed(5_000, 0)).toBe('0:00');
  });
});
