import { CallControlError, type KeyScope } from '../../domain/call-control.js';
import { normalizePhone } from '../../domain/phone.js';
import type { LegId } from '../../telephony/driver.js';
import type { CallSession, Command, SessionEvent } from '../session.js';
import type { Connected } from './dial.js';
import { startTransfer, type Transfer, transferAnswered, transferEnded } from './transfer.js';

export type ConnectedEnd = { kind: 'ended'; by: 'caller' | 'target' | 'system' } | { kind: 'returned' };

/** Who handles the call now: the target that answered, or the endpoint it was transferred to. */
interface Handler {
  leg: LegId | null;
  targetId: number | null;
  number: string;
}

interface State {
  handler: Handler;
  original: { targetId: number | null; number: string };
  transfers: Transfer[];
  active: Transfer | null;
  /** The transfer whose endpoint handles the call since the first handler left. */
  handedTo: Transfer | null;
  mode: 'return' | 'acceptance' | null;
  accepted: boolean;
  connectedAt: number;
  /** When an unaccepted call is taken back (acceptance mode). */
  acceptBy: number | null;
}

const FAILED = new Set(['busy', 'noAnswer', 'failed']);

/**
 * The connected call: waits for hangups and call-control commands (transfer, conference the caller,
 * stop a transfer, return, accept) and keeps the caller joined to someone — never in dead air.
 */
export async function connectedPhase(
  s: CallSession,
  c: Connected,
  acceptWindowS: number,
): Promise<ConnectedEnd> {
  const now = s.now();
  const mode = c.target?.liveCallMode ?? null;
  const st: State = {
    handler: { leg: c.leg, targetId: c.target?.id ?? null, number: c.dialedNumber },
    original: { targetId: c.target?.id ?? null, number: c.dialedNumber },
    transfers: [],
    active: null,
    handedTo: null,
    mode,
    accepted: mode !== 'acceptance',
    connectedAt: now,
    acceptBy: mode === 'acceptance' ? now + acceptWindowS * 1000 : null,
  };
  s.phase = 'connected';
  for (;;) {
    const legs = new Set([s.inLeg, st.handler.leg, st.active?.leg].filter((l): l is LegId => !!l));
    const timeoutMs = !st.accepted && st.acceptBy !== null ? Math.max(0, st.acceptBy - s.now()) : undefined;
    const ev = await s.waitFor((e) => e.type === 'command' || ('leg' in e && legs.has(e.leg)), {
      timeoutMs,
      allowCallerHangup: true,
    });
    if (ev === 'timeout') return takeBack(s, st);
    const end = ev.type === 'command' ? await onCommand(s, st, ev) : await onLegEvent(s, st, ev);
    if (end) return end;
  }
}

async function onLegEvent(
  s: CallSession,
  st: State,
  ev: Exclude<SessionEvent, { type: 'command' }>,
): Promise<ConnectedEnd | undefined> {
  if (!('leg' in ev)) return undefined;
  if (ev.leg === s.inLeg) {
    if (ev.type !== 'hangup') return undefined;
    if (st.active?.hold) s.callerLeftOnHold = st.active.uuid;
    await hangupAll(s, st, 'caller');
    return { kind: 'ended', by: 'caller' };
  }
  const t = st.active;
  if (t && ev.leg === t.leg && ev.leg !== st.handler.leg) return onTransferLeg(s, st, t, ev.type);
  if (ev.leg === st.handler.leg && ev.type === 'hangup') return onHandlerLeft(s, st);
  return undefined;
}

async function onTransferLeg(
  s: CallSession,
  st: State,
  t: Transfer,
  type: string,
): Promise<ConnectedEnd | undefined> {
  if (type === 'answered') {
    await transferAnswered(s, t);
    if (!st.handler.leg) handOver(st, t);
    await join(s, st);
    return undefined;
  }
  if (!FAILED.has(type) && type !== 'hangup') return undefined;
  const answered = t.status !== 'dialing';
  await transferEnded(s, t, answered ? 'ended' : 'failed', answered ? 'target' : 'system');
  st.active = null;
  if (!st.handler.leg) return endAlone(answered ? 'target' : 'system');
  await join(s, st);
  return undefined;
}

/** The handler hung up: a transferee already talking takes over; otherwise the call is over. */
async function onHandlerLeft(s: CallSession, st: State): Promise<ConnectedEnd | undefined> {
  st.handler.leg = null;
  if (st.handedTo) {
    await transferEnded(s, st.handedTo, 'ended', 'target');
    st.handedTo = null;
  }
  const t = st.active;
  if (t && t.status !== 'dialing') {
    handOver(st, t);
    await join(s, st);
    return undefined;
  }
  if (t) return undefined; // still ringing: the caller waits for the transferee
  return { kind: 'ended', by: 'target' };
}

function handOver(st: State, t: Transfer): void {
  st.handler = { leg: t.leg, targetId: null, number: t.to };
  st.handedTo = t;
  t.hold = false;
  st.active = t.status === 'dialing' ? t : null;
}

function endAlone(by: 'target' | 'system'): ConnectedEnd {
  return { kind: 'ended', by };
}

/** Sets who hears whom: a held caller hears music; everyone else present is bridged or conferenced. */
async function join(s: CallSession, st: State): Promise<void> {
  const { driver } = s.deps;
  const t = st.active;
  const transferee = t && t.status !== 'dialing' ? t.leg : null;
  const agent = st.handler.leg;
  if (t?.hold) {
    await driver.unbridge(s.inLeg);
    await driver.hold(s.inLeg, 'default');
    if (agent && transferee) await driver.conference([agent, transferee]);
    return;
  }
  await driver.unhold(s.inLeg);
  const parties = [s.inLeg, agent, transferee].filter((l): l is LegId => !!l);
  if (parties.length === 2) await driver.bridge(parties[0], parties[1]);
  else if (parties.length === 3) await driver.conference(parties);
}

async function hangupAll(s: CallSession, st: State, by: 'caller' | 'system'): Promise<void> {
  if (st.active) {
    await s.deps.driver.hangup(st.active.leg);
    await transferEnded(
      s,
      st.active,
      st.active.status === 'dialing' ? 'failed' : 'ended',
      by === 'caller' ? 'caller' : 'system',
    );
    st.active = null;
  }
  if (st.handler.leg) await s.deps.driver.hangup(st.handler.leg);
  if (st.handedTo) {
    await transferEnded(s, st.handedTo, 'ended', by === 'caller' ? 'caller' : 'system');
    st.handedTo = null;
  }
}

async function onCommand(
  s: CallSession,
  st: State,
  ev: Extract<SessionEvent, { type: 'command' }>,
): Promise<ConnectedEnd | undefined> {
  try {
    const { result, end } = await run(s, st, ev.command);
    ev.reply(null, result);
    return end;
  } catch (err) {
    ev.reply(err as Error);
    return undefined;
  }
}

async function run(
  s: CallSession,
  st: State,
  cmd: Command,
): Promise<{ result?: unknown; end?: ConnectedEnd }> {
  authorize(st, cmd.scope);
  switch (cmd.kind) {
    case 'transfer':
      return { result: await transfer(s, st, cmd) };
    case 'conference_caller': {
      const t = findTransfer(st, cmd.transferUuid);
      if (!t.hold) throw new CallControlError('caller not held');
      if (t !== st.active) throw new CallControlError('transfer not in progress');
      t.hold = false;
      if (t.status === 'answered') t.status = 'conferenced';
      await join(s, st);
      return {};
    }
    case 'stop_transfer': {
      const t = findTransfer(st, cmd.transferUuid);
      if (t !== st.active) throw new CallControlError('transfer not in progress');
      if (!st.handler.leg || st.handler.leg === t.leg) throw new CallControlError('transferor not present');
      await s.deps.driver.hangup(t.leg);
      await transferEnded(s, t, 'stopped', 'system');
      st.active = null;
      await join(s, st);
      return {};
    }
    case 'return':
      if (
        st.mode !== 'return' ||
        st.transfers.length ||
        s.now() > st.connectedAt + cmd.scope.returnTimeoutSeconds * 1000
      ) {
        throw new CallControlError('call not returnable');
      }
      return { end: await takeBack(s, st) };
    case 'accept':
      if (st.accepted || st.acceptBy === null || s.now() > st.acceptBy)
        throw new CallControlError('call not awaiting acceptance');
      st.accepted = true;
      await s.save({}, 'accepted');
      return {};
  }
}

async function transfer(s: CallSession, st: State, cmd: Extract<Command, { kind: 'transfer' }>) {
  if (st.active) throw new CallControlError('call already transferred');
  let to: string;
  try {
    to = normalizePhone('transfer_to', cmd.transferTo, { allowSip: true });
  } catch {
    throw new CallControlError('cannot dial transfer_to number');
  }
  const t = await startTransfer(s, to, cmd.holdCaller, cmd.scope.keyId, st.handler.leg);
  st.transfers.push(t);
  st.active = t;
  s.registerTransfer(t.uuid);
  await join(s, st);
  return { transferUuid: t.uuid };
}

function findTransfer(st: State, uuid: string): Transfer {
  const t = st.transfers.find((x) => x.uuid === uuid);
  if (!t) throw new CallControlError('transfer not found');
  return t;
}

/**
 * A key reaches the call while it handles it: the target it is for (or a member of its group), or the
 * number the call was transferred to. The first handler's key loses the call once it was transferred.
 */
function authorize(st: State, scope: KeyScope): void {
  if (scope.transferUuid) {
    if (st.transfers.some((t) => t.uuid === scope.transferUuid)) return;
    throw new CallControlError('not authorized');
  }
  const h = st.handler;
  if ((h.targetId !== null && scope.targetIds.includes(h.targetId)) || scope.numbers.includes(h.number))
    return;
  const t = st.active;
  if (t && scope.numbers.includes(t.to)) return;
  if (
    st.original.targetId !== null &&
    scope.targetIds.includes(st.original.targetId) &&
    st.transfers.length
  ) {
    throw new CallControlError('call already transferred');
  }
  throw new CallControlError('not authorized');
}

/** Live call return / unaccepted call: the handler's leg goes, and routing goes on to the next one. */
async function takeBack(s: CallSession, st: State): Promise<ConnectedEnd> {
  if (st.handler.leg) await s.deps.driver.hangup(st.handler.leg);
  await s.deps.driver.unbridge(s.inLeg);
  return { kind: 'returned' };
}
