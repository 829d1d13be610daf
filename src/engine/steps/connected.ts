import { CallControlError, type KeyScope } from '../../domain/call-control.js';
import { normalizePhone } from '../../domain/phone.js';
import { DriverError, type LegId } from '../../telephony/driver.js';
import { errorText } from '../commands.js';
import { CallAborted, type CallSession, type Command, type SessionEvent } from '../session.js';
import type { Connected } from './dial.js';
import {
  startTransfer,
  type Transfer,
  transferAnswered,
  transferEnded,
  transferRinging,
} from './transfer.js';

export type ConnectedEnd =
  | { kind: 'ended'; by: 'caller' | 'target' | 'system' }
  | { kind: 'returned' }
  /** The answered leg could not be joined to the caller: routing goes on as if it had not answered. */
  | { kind: 'failed'; reason: string };

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
  /** How the caller is joined now (see `noteJoin`); a change is a call-flow event. */
  joined: string;
}

const FAILED = new Set(['busy', 'noAnswer', 'failed']);
/** An unanswered transferee's leg records why, as a dial attempt's does. */
const LEG_OUTCOME: Record<string, string> = { busy: 'busy', noAnswer: 'no-answer' };

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
    joined: `bridged:${c.dialedNumber}`,
  };
  s.phase = 'connected';
  try {
    for (;;) {
      const end = await nextEvent(s, st);
      if (end) return end;
    }
  } catch (err) {
    // The call must end now (length limit): everyone still on it is hung up.
    if (!(err instanceof CallAborted)) throw err;
    await hangupAll(s, st, 'system');
    return { kind: 'ended', by: err.by };
  }
}

/** Waits for the next thing to happen (an event, a command, a deadline) and handles it. */
async function nextEvent(s: CallSession, st: State): Promise<ConnectedEnd | undefined> {
  const legs = new Set([s.inLeg, st.handler.leg, st.active?.leg].filter((l): l is LegId => !!l));
  const acceptBy = !st.accepted && st.acceptBy !== null ? st.acceptBy : Number.POSITIVE_INFINITY;
  const ringBy = st.active?.status === 'dialing' ? st.active.giveUpAt : Number.POSITIVE_INFINITY;
  const deadline = Math.min(acceptBy, ringBy);
  const ev = await s.waitFor((e) => e.type === 'command' || ('leg' in e && legs.has(e.leg)), {
    timeoutMs: Number.isFinite(deadline) ? Math.max(0, deadline - s.now()) : undefined,
    allowCallerHangup: true,
  });
  if (ev !== 'timeout') return ev.type === 'command' ? onCommand(s, st, ev) : onLegEvent(s, st, ev);
  if (s.now() >= acceptBy) return takeBack(s, st);
  // The transferee's outcome never came: the network lost it, so it counts as unanswered.
  const t = st.active!;
  s.giveUp(t.cmd);
  await s.tel.hangup(t.leg, 'no-answer');
  return onTransferLeg(s, st, t, 'noAnswer');
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
  if (ev.leg === st.handler.leg && ev.type === 'transferRequested') return onPhoneTransfer(s, st, ev.to);
  return undefined;
}

/**
 * The handler's phone transferred the caller (SIP REFER): Call Control's transfer with the caller on
 * hold, then the phone that asked is hung up, as after a blind transfer. A second transfer while one is
 * in progress, or a number that cannot be dialled, leaves the call as it was.
 */
async function onPhoneTransfer(s: CallSession, st: State, to: string): Promise<ConnectedEnd | undefined> {
  const leg = st.handler.leg;
  if (!leg || st.active) return undefined;
  const scope: KeyScope = {
    keyId: 0,
    companyId: s.companyId,
    targetId: st.handler.targetId,
    targetGroupId: null,
    targetIds: [],
    numbers: [st.handler.number],
    actions: [],
    returnTimeoutSeconds: 0,
  };
  try {
    await transfer(s, st, { kind: 'transfer', scope, holdCaller: true, transferTo: to });
  } catch (err) {
    if (!(err instanceof CallControlError)) throw err;
    s.deps.logger.info({ call: s.uuid, to, err: err.message }, 'transfer from the phone refused');
    return undefined;
  }
  await s.tel.hangup(leg);
  return onHandlerLeft(s, st);
}

async function onTransferLeg(
  s: CallSession,
  st: State,
  t: Transfer,
  type: string,
): Promise<ConnectedEnd | undefined> {
  if (type === 'ringing') {
    transferRinging(s, t);
    return undefined;
  }
  if (type === 'answered') {
    await transferAnswered(s, t);
    if (!st.handler.leg) handOver(st, t);
    await joinAfterEvent(s, st);
    return undefined;
  }
  if (!FAILED.has(type) && type !== 'hangup') return undefined;
  const answered = t.status !== 'dialing';
  const outcome = LEG_OUTCOME[type];
  await transferEnded(s, t, answered ? 'ended' : 'failed', answered ? 'target' : 'system', outcome);
  st.active = null;
  if (!st.handler.leg) return endAlone(answered ? 'target' : 'system');
  await joinAfterEvent(s, st);
  return undefined;
}

/**
 * The handler hung up: a transferee already talking takes over; otherwise the call is over. Its leg is
 * closed now (not when the call ends), so a call handed over shows when the first handler left.
 */
async function onHandlerLeft(s: CallSession, st: State): Promise<ConnectedEnd | undefined> {
  const leg = st.handler.leg;
  st.handler.leg = null;
  if (leg && st.active) await closeLeg(s, leg, st.handler.number);
  if (st.handedTo) {
    await transferEnded(s, st.handedTo, 'ended', 'target');
    st.handedTo = null;
  }
  const t = st.active;
  if (t && t.status !== 'dialing') {
    handOver(st, t);
    await joinAfterEvent(s, st);
    return undefined;
  }
  if (t) return undefined; // still ringing: the caller waits for the transferee
  return { kind: 'ended', by: 'target' };
}

async function closeLeg(s: CallSession, leg: LegId, to: string): Promise<void> {
  s.forgetLeg(leg);
  await s.legChanged(leg, 'outbound', to, { status: 'ended', ended_at: s.now(), hung_up_by: 'target' });
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

/**
 * Sets who hears whom: a held caller hears music; everyone else present is bridged or conferenced.
 * Throws a DriverError when the network refuses; `joinAfterEvent` is the variant that cannot throw.
 */
async function join(s: CallSession, st: State): Promise<void> {
  const t = st.active;
  const transferee = t && t.status !== 'dialing' ? t.leg : null;
  const agent = st.handler.leg;
  if (t?.hold) {
    await s.tel.unbridge(s.inLeg);
    await s.tel.hold(s.inLeg, 'default');
    if (agent && transferee) await s.tel.conference([agent, transferee]);
    noteJoin(s, st, 'held', t, 1);
    return;
  }
  await s.tel.unhold(s.inLeg);
  const parties = [s.inLeg, agent, transferee].filter((l): l is LegId => !!l);
  if (parties.length === 2) await s.tel.bridge(parties[0], parties[1]);
  else if (parties.length === 3) await s.tel.conference(parties);
  if (parties.length > 1) noteJoin(s, st, parties.length === 3 ? 'conference' : 'bridged', t, parties.length);
}

/**
 * The caller's place in a transfer as call-flow events, once per change: `held` (hearing music while the
 * handler and transferee talk), `conference` (caller, handler and transferee together), `bridged` (the
 * caller with one party again: the transfer was stopped or ended, or handed the call over).
 */
function noteJoin(
  s: CallSession,
  st: State,
  type: 'held' | 'conference' | 'bridged',
  t: Transfer | null,
  parties: number,
): void {
  // Bridged: with the handler (the first one, or a transferee the call was handed over to).
  const key = type === 'bridged' ? `bridged:${st.handler.number}` : `${type}:${t?.uuid}`;
  if (key === st.joined) return;
  st.joined = key;
  s.flow(type, {
    transfer_uuid: t?.uuid ?? null,
    parties,
    ...(type === 'bridged' ? { with: st.handler.number } : {}),
  });
}

/** After a network event nobody asked for there is nobody to answer: try twice, then log it. */
async function joinAfterEvent(s: CallSession, st: State): Promise<void> {
  for (let tryNo = 1; ; tryNo++) {
    try {
      return await join(s, st);
    } catch (err) {
      if (!(err instanceof DriverError)) throw err;
      s.deps.logger.warn({ call: s.uuid, err: err.message, try: tryNo }, 'joining the parties failed');
      if (tryNo === 2) return;
    }
  }
}

/**
 * Joins the parties for a call-control request; when the network refuses, `undo` puts the state back,
 * the parties are joined as they were (best effort) and the request is answered `telephony failure`.
 */
async function joinOrUndo(s: CallSession, st: State, undo: () => void | Promise<void>): Promise<void> {
  try {
    await join(s, st);
  } catch (err) {
    if (!(err instanceof DriverError)) throw err;
    s.deps.logger.warn({ call: s.uuid, err: err.message }, 'call-control request failed in the network');
    await undo();
    await joinAfterEvent(s, st);
    throw new CallControlError('telephony failure');
  }
}

async function hangupAll(s: CallSession, st: State, by: 'caller' | 'system'): Promise<void> {
  if (st.active) {
    s.giveUp(st.active.cmd);
    await s.tel.hangup(st.active.leg);
    await transferEnded(
      s,
      st.active,
      st.active.status === 'dialing' ? 'failed' : 'ended',
      by === 'caller' ? 'caller' : 'system',
    );
    st.active = null;
  }
  if (st.handler.leg) await s.tel.hangup(st.handler.leg);
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
      const before = t.status;
      t.hold = false;
      if (t.status === 'answered') t.status = 'conferenced';
      await joinOrUndo(s, st, () => {
        t.hold = true;
        t.status = before;
      });
      return {};
    }
    case 'stop_transfer': {
      const t = findTransfer(st, cmd.transferUuid);
      if (t !== st.active) throw new CallControlError('transfer not in progress');
      if (!st.handler.leg || st.handler.leg === t.leg) throw new CallControlError('transferor not present');
      s.giveUp(t.cmd);
      await s.tel.hangup(t.leg);
      await transferEnded(s, t, 'stopped', 'system');
      st.active = null;
      // The transfer is stopped whatever happens; a caller the network will not take off hold is
      // retried once and the request answered with the failure.
      await joinOrUndo(s, st, () => {});
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
  await joinOrUndo(s, st, async () => {
    // The caller could not be put on hold: the transfer is called off, the call stays as it was.
    s.giveUp(t.cmd);
    await s.tel.hangup(t.leg);
    await transferEnded(s, t, 'failed', 'system');
    st.active = null;
  });
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
  if (st.handler.leg) await s.tel.hangup(st.handler.leg);
  try {
    await s.tel.unbridge(s.inLeg);
  } catch (err) {
    // The handler's leg is gone anyway; the next bridge moves the caller.
    s.deps.logger.warn({ call: s.uuid, err: errorText(err) }, 'unbridge failed');
  }
  return { kind: 'returned' };
}
