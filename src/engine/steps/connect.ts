import { errorText } from '../commands.js';
import { CallAborted, type CallSession } from '../session.js';
import { type ConnectedEnd, connectedPhase } from './connected.js';
import type { Connected } from './dial.js';

/** A pause written as `w` in send_digits lasts half a second. */
const PAUSE_MS = 500;
/** Acceptance window of a target in acceptance mode that no call-control key gives one. */
const DEFAULT_ACCEPT_WINDOW_S = 30;

/**
 * The answered leg is joined to the caller: caps count the call now, `send_digits` are played to the
 * target, and the connected phase runs until someone hangs up or the call is taken back. The leases
 * are released however this ends (a thrown error included).
 */
export async function connect(s: CallSession, c: Connected): Promise<ConnectedEnd> {
  try {
    const bridged = await bridge(s, c).catch(async (err) => {
      if (err instanceof CallAborted) await dropAnswered(s, c, err);
      throw err;
    });
    if (bridged) return bridged;
    return await connected(s, c);
  } finally {
    for (const lease of c.leases) await lease.release();
  }
}

/**
 * The caller left (or the call was ended) between the target's answer and the bridge — a BYE a few
 * milliseconds after the target's 200, seen with sipp through Kamailio: the answered leg is hung up and
 * closed, not left talking to no one.
 */
async function dropAnswered(s: CallSession, c: Connected, why: CallAborted): Promise<void> {
  await s.tel.hangup(c.leg).catch(() => {});
  s.forgetLeg(c.leg);
  await s.legChanged(c.leg, 'outbound', c.dialedNumber, {
    status: 'ended',
    ended_at: s.now(),
    hung_up_by: 'system',
    end_reason: `before the bridge: ${why.reason}`,
  });
}

/**
 * Joins the caller to the answered leg, trying twice: the caller must not be left in silence. When the
 * network will not bridge, the answered leg is hung up with the reason and routing goes on.
 */
async function bridge(s: CallSession, c: Connected): Promise<ConnectedEnd | undefined> {
  let reason = '';
  for (let tryNo = 0; tryNo < 2; tryNo++) {
    s.checkLive();
    try {
      await s.tel.bridge(s.inLeg, c.leg);
      return undefined;
    } catch (err) {
      reason = errorText(err);
      s.deps.logger.warn({ call: s.uuid, leg: c.leg, err: reason, try: tryNo + 1 }, 'bridge failed');
    }
  }
  await s.tel.hangup(c.leg, 'failed');
  s.forgetLeg(c.leg);
  await s.legChanged(c.leg, 'outbound', c.dialedNumber, {
    status: 'failed',
    ended_at: s.now(),
    hung_up_by: 'system',
    end_reason: `bridge failed: ${reason}`,
  });
  return { kind: 'failed', reason };
}

async function connected(s: CallSession, c: Connected): Promise<ConnectedEnd> {
  const now = s.now();
  for (const lease of c.leases) await lease.commit();
  const owners = [
    ...(c.target ? [{ owner_type: 'target' as const, owner_id: c.target.id }] : []),
    ...(c.group ? [{ owner_type: 'target_group' as const, owner_id: c.group.id }] : []),
  ];
  await s.deps.store.addCapHits(
    owners.map((o) => ({ ...o, company_id: s.companyId, call_uuid: s.uuid, hit_at: now })),
  );
  await s.save(
    {
      status: 'in-progress',
      connected: 1,
      connected_time: now,
      dialed_number: c.dialedNumber,
      target_id: c.target?.id ?? null,
      tid: c.target?.tid ?? null,
      target_name: c.target?.name ?? null,
      target_group_id: c.group?.id ?? null,
      target_group_name: c.group?.name ?? null,
      target_repeat: c.target ? await targetRepeat(s, c.target.id) : null,
    },
    'connected',
  );
  if (c.target?.sendDigits) await sendDigits(s, c.leg, c.target.sendDigits);
  s.pixels.onConnected(c.target?.timerOffset ?? 0);
  await s.webhooks.fire('call_connected');
  const end = await connectedPhase(s, c, await acceptanceWindowS(s, c));
  s.phase = 'routing';
  const legEnd = {
    status: 'ended',
    ended_at: s.now(),
    end_reason: end.kind === 'returned' ? 'returned' : 'normal',
  };
  if (end.kind === 'ended' && end.by === 'caller') await s.tel.hangup(c.leg);
  // A handler that left while a transfer had the call was closed then (connected.ts, onHandlerLeft).
  const closed = !s.hasLeg(c.leg);
  s.forgetLeg(c.leg);
  if (!closed)
    await s.legChanged(c.leg, 'outbound', c.dialedNumber, {
      ...legEnd,
      hung_up_by: end.kind === 'ended' ? end.by : 'system',
    });
  if (end.kind === 'returned') {
    s.pixels.onReturned();
    await forget(s, c);
  }
  return end;
}

/**
 * A returned call counts for the handler that finally takes it, not this one: its cap usage is undone
 * and the record forgets the target until the next one answers.
 */
async function forget(s: CallSession, c: Connected): Promise<void> {
  for (const lease of c.leases) await lease.uncommit();
  await s.deps.store.removeCapHits(s.uuid);
  await s.save(
    {
      connected: 0,
      connected_time: null,
      target_id: null,
      tid: null,
      target_name: null,
      target_group_id: null,
      target_group_name: null,
      dialed_number: null,
      target_repeat: null,
    },
    'returned',
  );
}

/** How long an acceptance-mode target has to accept: the longest window of its live call-control keys. */
async function acceptanceWindowS(s: CallSession, c: Connected): Promise<number> {
  if (c.target?.liveCallMode !== 'acceptance') return 0;
  const windows = await s.deps.store.acceptanceWindows(c.target.id);
  return windows.length ? Math.max(...windows) : DEFAULT_ACCEPT_WINDOW_S;
}

/** Digits go out in runs between `w` pauses, each run half a second per pause after the last. */
async function sendDigits(s: CallSession, leg: string, digits: string): Promise<void> {
  let delay = 0;
  for (const run of digits.split(/([wW])/)) {
    if (run === 'w' || run === 'W') delay += PAUSE_MS;
    else if (run) {
      if (delay === 0) await s.tel.sendDigits(leg, run);
      else s.deps.clock.schedule(delay, () => s.tel.sendDigits(leg, run));
    }
  }
}

async function targetRepeat(s: CallSession, targetId: number): Promise<number> {
  return (await s.deps.store.calledTargetBefore(s.companyId, s.caller, targetId, s.uuid)) ? 1 : 0;
}
