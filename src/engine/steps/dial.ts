import { randomUUID } from 'node:crypto';
import type { DialStep } from '../../domain/routing.js';
import type { Lease } from '../../live/live-state.js';
import type { GroupInfo, RoutingInput, TargetInfo } from '../../store/routing-inputs.js';
import type { CommandId, DriverEvent, LegId } from '../../telephony/driver.js';
import { errorText } from '../commands.js';
import type { CallSession } from '../session.js';
import { noteReservation, resolveDynamic } from './dynamic-dial.js';

/** The leg that answered, and whom it reached. */
export interface Connected {
  leg: LegId;
  dialedNumber: string;
  target: TargetInfo | null;
  group: GroupInfo | null;
  leases: Lease[];
}

interface Dial {
  to: string;
  timeoutS: number;
  target: TargetInfo | null;
  group: GroupInfo | null;
  lease?: Lease;
  /** A dynamic buyer's reservation, whose number `to` is. */
  reservationUuid?: string;
}

const DIRECT_TIMEOUT_S = 30;
const OUTCOMES = new Set(['answered', 'busy', 'noAnswer', 'failed', 'hangup']);
/**
 * What a dial waits for: its outcome, the network saying the far end rings (sim, SIP 180/183), or a
 * forward of one of its ringing legs (RingCentral).
 */
const DIAL_EVENTS = new Set([...OUTCOMES, 'ringing', 'forward']);

/** Dials the plan step by step until someone answers; undefined when nobody did. */
export async function dialPlan(
  s: CallSession,
  queue: DialStep[],
  input: RoutingInput,
  excluded: Set<number> = new Set(),
): Promise<Connected | undefined> {
  // Steps leave the queue as they are tried, so a returned call goes on with the rest of the plan.
  for (let step = queue.shift(); step; step = queue.shift()) {
    const trimmed = withoutExcluded(step, excluded);
    if (!trimmed) continue;
    const dials = await leaseStep(s, trimmed, input);
    if (!dials) continue;
    const connected = await attempt(s, dials.dials, dials.shared);
    if (connected) return connected;
  }
  return undefined;
}

/** The step without targets that already returned this call; undefined when none is left. */
function withoutExcluded(step: DialStep, excluded: Set<number>): DialStep | undefined {
  if (step.kind === 'single') return excluded.has(step.target.id) ? undefined : step;
  const targets = step.targets.filter((t) => !excluded.has(t.id));
  return targets.length ? { ...step, targets } : undefined;
}

/** A menu option's `target_number`: dialed as is, outside caps and concurrency. */
export function dialNumber(s: CallSession, number: string): Promise<Connected | undefined> {
  return attempt(s, [{ to: number, timeoutS: DIRECT_TIMEOUT_S, target: null, group: null }], []);
}

/**
 * Phones that are nobody's target (a placed call's agents, its end user): rung at once, outside caps and
 * concurrency; the first to answer wins.
 */
export function dialNumbers(s: CallSession, dials: { to: string; timeoutS: number }[]) {
  return attempt(
    s,
    dials.map((d) => ({ ...d, target: null, group: null })),
    [],
  );
}

/**
 * Takes the concurrency and cap slots a step needs, atomically; a step whose slots were taken by a
 * racing call since the plan was made is skipped.
 */
async function leaseStep(
  s: CallSession,
  step: DialStep,
  input: RoutingInput,
): Promise<{ dials: Dial[]; shared: Lease[] } | undefined> {
  const occ = s.deps.live.leases;
  if (step.kind === 'single') {
    const target = input.targets.get(step.target.id)!;
    const group = step.group ? (input.groups.get(step.group.id) ?? null) : null;
    const lease = await occ.tryAcquire(group ? [target.claim, group.claim] : [target.claim], s.uuid);
    if (!lease) return undefined;
    return {
      dials: [{ to: target.number, timeoutS: step.target.timeoutSeconds, target, group, lease }],
      shared: [],
    };
  }
  const group = input.groups.get(step.group.id)!;
  const groupLease = await occ.tryAcquire([group.claim], s.uuid);
  if (!groupLease) return undefined;
  const dials: Dial[] = [];
  for (const t of step.targets) {
    const target = input.targets.get(t.id)!;
    const lease = await occ.tryAcquire([target.claim], s.uuid);
    if (lease) dials.push({ to: target.number, timeoutS: t.timeoutSeconds, target, group, lease });
  }
  if (!dials.length) {
    await groupLease.release();
    return undefined;
  }
  return { dials, shared: [groupLease] };
}

/** How much longer than its own ring timeout a dial may take before the engine gives up on it. */
export const RING_MARGIN_MS = 5_000;

interface Ringing {
  d: Dial;
  cmd: CommandId;
  /** When the engine stops waiting for an outcome (the network should answer `noAnswer` first). */
  giveUpAt: number;
  /** The far end was reported ringing (SIP may say so twice: 180, then 183). */
  rang?: boolean;
}

/** Who a dial is for, as its call-flow events name it. */
function dialDetails(leg: LegId, d: Dial) {
  return { leg_id: leg, to: d.to, target_id: d.target?.id ?? null, target_group_id: d.group?.id ?? null };
}

/** The far end rings: a call-flow event of its own, once per leg, at the time the network said so. */
function noteRinging(s: CallSession, leg: LegId, r: Ringing): void {
  if (r.rang) return;
  r.rang = true;
  s.flow('ringing', { ...dialDetails(leg, r.d), status: 'ringing' });
}

/**
 * Rings every dial at once; the first to answer wins and the rest are cancelled. A dial the network
 * refuses, or whose outcome never comes, is ended with its reason and the others go on.
 */
async function attempt(s: CallSession, dials: Dial[], shared: Lease[]): Promise<Connected | undefined> {
  const live = new Map<LegId, Ringing>();
  s.ringing = live;
  let winner: Connected | undefined;
  try {
    for (const d of await resolveDynamic(s, dials)) await originate(s, d, live);
    while (live.size > 0 && !winner) {
      const giveUpAt = Math.min(...[...live.values()].map((r) => r.giveUpAt));
      const ev = await s.waitFor((e) => 'leg' in e && live.has(e.leg) && DIAL_EVENTS.has(e.type), {
        timeoutMs: Math.max(0, giveUpAt - s.now()),
      });
      if (ev === 'timeout') {
        await giveUpOverdue(s, live);
        continue;
      }
      if (!('leg' in ev)) continue;
      if (ev.type === 'ringing') {
        noteRinging(s, ev.leg, live.get(ev.leg)!);
        continue;
      }
      if (ev.type === 'forward') {
        await forward(s, ev.leg, ev.to, live);
        continue;
      }
      const { d } = live.get(ev.leg)!;
      live.delete(ev.leg);
      if (ev.type === 'answered') {
        await s.legChanged(ev.leg, 'outbound', d.to, {
          status: ev.voicemail ? 'voicemail' : 'answered',
          answered_at: s.now(),
        });
        await noteReservation(s, d.reservationUuid);
        winner = {
          leg: ev.leg,
          dialedNumber: d.to,
          target: d.target,
          group: d.group,
          leases: [...(d.lease ? [d.lease] : []), ...shared],
        };
      } else {
        await endDial(s, ev.leg, d, outcomeStatus(ev), outcomeStatus(ev));
      }
    }
  } finally {
    if (s.ringing === live) s.ringing = undefined;
    // Whoever did not win (or everyone, when the caller hung up) is cancelled and frees its slots.
    for (const [leg, r] of live) {
      s.giveUp(r.cmd);
      await s.tel.hangup(leg, 'cancelled');
      await endDial(s, leg, r.d, 'cancelled', 'cancelled');
    }
    if (!winner) for (const l of shared) await l.release();
    // Dials never sent (the caller left first, a write failed) give their slots back too.
    for (const d of dials) if (d.lease && !winner?.leases.includes(d.lease)) await d.lease.release();
  }
  return winner;
}

/** Writes the leg and sends the originate; a refused originate ends the leg with the reason. */
async function originate(s: CallSession, d: Dial, live: Map<LegId, Ringing>): Promise<void> {
  s.checkLive();
  const leg = randomUUID();
  const from = s.callerNumberSent ?? s.caller;
  s.ownLeg(leg);
  if (s.record.row.forwarded_time == null) await s.save({ forwarded_time: s.now() }, 'forwarded');
  await s.deps.store.insertLeg({
    id: leg,
    callUuid: s.uuid,
    companyId: s.companyId,
    direction: 'outbound',
    from,
    to: d.to,
    targetId: d.target?.id,
    targetGroupId: d.group?.id,
    at: s.now(),
  });
  const cmd = s.expect();
  // In the map before the command: the driver may answer with events before its promise resolves.
  live.set(leg, { d, cmd, giveUpAt: s.now() + d.timeoutS * 1000 + RING_MARGIN_MS });
  try {
    await s.tel.originate(cmd, {
      leg,
      callUuid: s.uuid,
      companyId: s.companyId,
      to: d.to,
      from,
      timeoutS: d.timeoutS,
    });
  } catch (err) {
    live.delete(leg);
    s.giveUp(cmd);
    await endDial(s, leg, d, 'failed', `originate failed: ${errorText(err)}`);
    return;
  }
  if (!live.has(leg)) return;
  // The leg's own status is `ringing` from the start (the Live board shows it ringing); its journey says
  // only that it was dialled, and `ringing` once the network reports it.
  s.flow('dialled', { ...dialDetails(leg, d), status: 'dialing' });
  s.announceLeg(leg, 'outbound', d.to, 'ringing');
}

/**
 * A ringing phone's call sent elsewhere: its dial is cancelled (`end_reason` `forwarded to …`) and the new
 * number rings in its place for the same ring time, keeping the dial's target and its slots.
 */
async function forward(s: CallSession, leg: LegId, to: string, live: Map<LegId, Ringing>): Promise<void> {
  const r = live.get(leg)!;
  live.delete(leg);
  s.giveUp(r.cmd);
  await s.tel.hangup(leg, 'cancelled');
  await endDial(s, leg, { ...r.d, lease: undefined }, 'cancelled', `forwarded to ${to}`);
  await originate(s, { ...r.d, to, reservationUuid: undefined }, live);
}

/** Dials whose outcome is overdue: the network lost it; they end as unanswered. */
async function giveUpOverdue(s: CallSession, live: Map<LegId, Ringing>): Promise<void> {
  for (const [leg, r] of [...live]) {
    if (r.giveUpAt > s.now()) continue;
    live.delete(leg);
    s.giveUp(r.cmd);
    await s.tel.hangup(leg, 'no-answer');
    await endDial(s, leg, r.d, 'no-answer', 'ring timeout');
  }
}

/** A dial that will not connect: its slots go back and its leg is closed with the reason. */
async function endDial(s: CallSession, leg: LegId, d: Dial, status: string, reason: string): Promise<void> {
  await d.lease?.release();
  s.forgetLeg(leg);
  await s.legChanged(leg, 'outbound', d.to, { status, ended_at: s.now(), end_reason: reason });
}

function outcomeStatus(ev: DriverEvent): string {
  switch (ev.type) {
    case 'busy':
      return 'busy';
    case 'noAnswer':
      return 'no-answer';
    case 'failed':
      return ev.reason === 'rejected' ? 'rejected' : 'failed';
    default:
      return 'ended';
  }
}
