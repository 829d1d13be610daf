/**
 * The Live board's state, built only from the stream's messages (GET /live/events): a snapshot, then
 * `call` (a call started) and `event` (the engine's bus events). Pure, so it is unit-tested without a
 * browser (test/web/live-board.test.ts).
 */

export interface LegView {
  id: string;
  direction: 'inbound' | 'outbound' | string;
  to: string;
  status: string;
  startedAt: number;
}

export interface TimelineEntry {
  /** Position in the call's timeline, a stable React key. */
  seq: number;
  at: number;
  text: string;
}

export interface LiveCall {
  uuid: string;
  caller: string;
  number: string;
  campaign: string | null;
  publisher: string | null;
  startedAt: number;
  state: string;
  legs: LegView[];
  timeline: TimelineEntry[];
  endedAt?: number;
  outcome?: string;
  /** Who is on a conference (caller, handler, transferee) while it lasts. */
  participants?: string[];
}

export interface BoardState {
  connected: boolean;
  /** Server clock minus browser clock, so elapsed times agree with the server's (manual clocks too). */
  offset: number;
  calls: LiveCall[];
  /** The last calls that ended while the board was open, newest first. */
  ended: LiveCall[];
  today: { calls: number; connected: number };
  /** Calls counted as connected today, so a call that reconnects counts once. */
  connectedUuids: string[];
}

export const initialBoard: BoardState = {
  connected: false,
  offset: 0,
  calls: [],
  ended: [],
  today: { calls: 0, connected: 0 },
  connectedUuids: [],
};

export type StreamMessage =
  | { event: 'snapshot'; data: SnapshotData; receivedAt: number }
  | { event: 'call'; data: CallRow; receivedAt: number }
  | { event: 'event'; data: BusEvent; receivedAt: number }
  | { event: 'closed' };

export interface CallRow {
  uuid: string;
  caller: string;
  number: string;
  campaign_name?: string | null;
  cid?: string | null;
  affiliate_name?: string | null;
  afid?: string | null;
  target_name?: string | null;
  dialed_number?: string | null;
  status?: string;
  start_time?: number;
  connected_time?: number | null;
  legs: { id: string; direction: string; to: string; status: string; started_at: number }[];
}

export interface SnapshotData {
  calls: CallRow[];
  today: { calls: number; connected: number };
  now: number;
}

export type BusEvent =
  | { type: 'call.flow'; callUuid: string; at: number; event: string; details: Record<string, unknown> }
  | { type: 'call.updated'; callUuid: string; at: number; status: string; step: string }
  | {
      type: 'call.ended';
      callUuid: string;
      at: number;
      status: string;
      hungUpBy: string | null;
      reason?: string;
    }
  | {
      type: 'leg.updated';
      callUuid: string;
      legId: string;
      at: number;
      direction: string;
      status: string;
      to: string;
    };

const KEEP_ENDED = 8;

const STEP_STATE: Record<string, string> = {
  screened: 'Answering',
  ivr: 'Greeting / menu',
  menu: 'Routing',
  connected: 'Connected',
  returned: 'Returned to routing',
  transfer: 'Transferring',
  accepted: 'Connected (accepted)',
};

const LEG_TEXT: Record<string, string> = {
  ringing: 'ringing',
  answered: 'answered',
  voicemail: 'voicemail answered',
  busy: 'busy',
  'no-answer': 'no answer',
  failed: 'failed',
  rejected: 'rejected',
  cancelled: 'cancelled',
  ended: 'ended',
  hold: 'on hold',
  parked: 'parked',
};

function fromRow(row: CallRow, receivedAt: number): LiveCall {
  const outbound = row.legs.filter((l) => l.direction === 'outbound');
  const last = outbound[outbound.length - 1];
  let state = 'Greeting / menu';
  if (row.connected_time) state = 'Connected';
  else if (last?.status === 'ringing') state = `Ringing ${row.target_name ?? last.to}`;
  return {
    uuid: row.uuid,
    caller: row.caller,
    number: row.number,
    campaign: row.campaign_name ?? row.cid ?? null,
    publisher: row.affiliate_name ?? row.afid ?? null,
    startedAt: row.start_time ?? receivedAt,
    state,
    legs: row.legs.map((l) => ({
      id: l.id,
      direction: l.direction,
      to: l.to,
      status: l.status,
      startedAt: l.started_at,
    })),
    timeline: [
      { seq: 0, at: row.start_time ?? receivedAt, text: `Call from ${row.caller} to ${row.number}` },
    ],
  };
}

function withCall(state: BoardState, uuid: string, change: (c: LiveCall) => LiveCall): BoardState {
  const i = state.calls.findIndex((c) => c.uuid === uuid);
  if (i === -1) return state;
  const calls = state.calls.slice();
  calls[i] = change(calls[i]);
  return { ...state, calls };
}

function note(c: LiveCall, at: number, text: string): LiveCall {
  return { ...c, timeline: [...c.timeline, { seq: c.timeline.length, at, text }] };
}

function legState(ev: Extract<BusEvent, { type: 'leg.updated' }>, c: LiveCall): string | undefined {
  if (ev.direction !== 'outbound') return ev.status === 'hold' ? 'On hold' : undefined;
  if (ev.status === 'ringing') return `Ringing ${ev.to}`;
  // A transferee answering does not end the caller's hold or conference: the engine's `call.flow` says when.
  if (ev.status === 'answered' || ev.status === 'voicemail')
    return c.state === 'On hold' || c.state === 'Conference' ? undefined : 'Connected';
  if (ev.status === 'hold') return 'On hold';
  if (ev.status === 'busy' || ev.status === 'no-answer' || ev.status === 'failed' || ev.status === 'rejected')
    return c.state.startsWith('Ringing') ? 'Routing' : undefined;
  return undefined;
}

/**
 * The engine's journey steps the board shows: a campaign chained, and the caller's place in a transfer —
 * held (hearing music), in a conference (with everyone on it), or with one party again.
 */
function onFlow(c: LiveCall, ev: Extract<BusEvent, { type: 'call.flow' }>): LiveCall {
  switch (ev.event) {
    case 'campaign_chained':
      return note(c, ev.at, `Sent to campaign ${String(ev.details.cid)}`);
    case 'held':
      return note({ ...c, state: 'On hold', participants: undefined }, ev.at, 'Caller on hold');
    case 'conference': {
      const participants = [
        `Caller ${c.caller}`,
        ...c.legs.filter((l) => l.direction !== 'inbound' && l.status === 'answered').map((l) => l.to),
      ];
      return note(
        { ...c, state: 'Conference', participants },
        ev.at,
        `Conference: ${participants.join(', ')}`,
      );
    }
    case 'bridged':
      return note(
        { ...c, state: 'Connected', participants: undefined },
        ev.at,
        `Caller with ${String(ev.details.with)}`,
      );
    default:
      return c;
  }
}

export function reduceBoard(state: BoardState, msg: StreamMessage): BoardState {
  switch (msg.event) {
    case 'closed':
      return { ...state, connected: false };
    case 'snapshot': {
      const d = msg.data;
      return {
        ...state,
        connected: true,
        offset: d.now - msg.receivedAt,
        calls: d.calls.map((r) => fromRow(r, d.now)),
        today: { ...d.today },
        connectedUuids: d.calls.filter((r) => r.connected_time).map((r) => r.uuid),
      };
    }
    case 'call': {
      if (state.calls.some((c) => c.uuid === msg.data.uuid)) return state;
      const call = fromRow(msg.data, msg.receivedAt + state.offset);
      return {
        ...state,
        calls: [...state.calls, call],
        today: { ...state.today, calls: state.today.calls + 1 },
      };
    }
    case 'event': {
      const ev = msg.data;
      switch (ev.type) {
        case 'call.updated': {
          const label = STEP_STATE[ev.step];
          if (!label) return state;
          let next = withCall(state, ev.callUuid, (c) => note({ ...c, state: label }, ev.at, label));
          if (ev.step === 'connected' && !next.connectedUuids.includes(ev.callUuid)) {
            next = {
              ...next,
              connectedUuids: [...next.connectedUuids, ev.callUuid],
              today: { ...next.today, connected: next.today.connected + 1 },
            };
          }
          return next;
        }
        case 'leg.updated':
          return withCall(state, ev.callUuid, (c) => {
            const legs = c.legs.some((l) => l.id === ev.legId)
              ? c.legs.map((l) => (l.id === ev.legId ? { ...l, status: ev.status } : l))
              : [
                  ...c.legs,
                  { id: ev.legId, direction: ev.direction, to: ev.to, status: ev.status, startedAt: ev.at },
                ];
            const who = ev.direction === 'inbound' ? 'Caller' : ev.to;
            return note(
              { ...c, legs, state: legState(ev, c) ?? c.state },
              ev.at,
              `${who}: ${LEG_TEXT[ev.status] ?? ev.status}`,
            );
          });
        case 'call.flow':
          return withCall(state, ev.callUuid, (c) => onFlow(c, ev));
        case 'call.ended': {
          const call = state.calls.find((c) => c.uuid === ev.callUuid);
          if (!call) return state;
          const outcome = `${ev.status}${ev.hungUpBy ? `, hung up by ${ev.hungUpBy}` : ''}${ev.reason ? ` (${ev.reason})` : ''}`;
          const done = note({ ...call, state: 'Ended', endedAt: ev.at, outcome }, ev.at, `Ended: ${outcome}`);
          return {
            ...state,
            calls: state.calls.filter((c) => c.uuid !== ev.callUuid),
            ended: [done, ...state.ended].slice(0, KEEP_ENDED),
          };
        }
      }
    }
  }
  return state;
}

/** `m:ss` (or `h:mm:ss`) between two instants, never negative. */
export function elapsed(from: number, to: number): string {
  const s = Math.max(0, Math.floor((to - from) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
