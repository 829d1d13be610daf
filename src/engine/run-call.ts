import { callDurations } from '../domain/call-durations.js';
import type { FlowConfig } from '../domain/flow.js';
import { type DialStep, planRoute } from '../domain/routing.js';
import { explainRoute } from '../domain/routing-explain.js';
import { DriverError } from '../telephony/driver.js';
import { CallAborted, CallerHungUp, type CallSession } from './session.js';
import { connect } from './steps/connect.js';
import { type Connected, dialNumber, dialPlan } from './steps/dial.js';
import { runMenu } from './steps/menu.js';
import { initialTags, passSuppression, randomizeStaticCaller } from './steps/screen.js';

/** How many times a menu may send the caller on to another campaign (`target_cid`) before we stop. */
const MAX_CAMPAIGN_HOPS = 5;

/** Why a call whose caller pressed no key through the greeting's repeats ended. */
export const NO_KEY = 'no key pressed';

export type Outcome = { status: string; hungUpBy: 'caller' | 'target' | 'system'; reason?: string };

/** The whole life of an inbound call: screen, greet, route, connect, and always a final record. */
export async function runCall(s: CallSession): Promise<void> {
  let outcome: Outcome = { status: 'finished', hungUpBy: 'system' };
  try {
    s.checkLive();
    await s.tel.answer(s.inLeg);
    outcome = await script(s);
  } catch (err) {
    if (err instanceof CallAborted) outcome = { status: 'finished', hungUpBy: err.by };
    else if (err instanceof DriverError) {
      // The network would not take the call (or dropped it while we set it up): end it cleanly.
      s.deps.logger.warn({ call: s.uuid, err: err.message }, 'call ended: telephony failure');
      outcome = { status: 'finished', hungUpBy: 'system' };
    } else throw err;
  } finally {
    await finish(s, outcome);
  }
}

async function script(s: CallSession): Promise<Outcome> {
  if (!(await passSuppression(s))) return { status: 'blocked', hungUpBy: 'system' };
  await randomizeStaticCaller(s);
  s.tags = { ...(await initialTags(s)), ...(s.reservation?.tags ?? {}), ...(await dataWritten(s)) };
  await s.pixels.atStart();
  await s.save({ caller_number_sent: s.callerNumberSent, tags: JSON.stringify(s.tags) }, 'screened');
  // After the save, so the event carries the screened tags and the caller id sent.
  await s.webhooks.fire('call_started');
  let flow: FlowConfig = s.ctx.flow;
  for (let hop = 0; hop <= MAX_CAMPAIGN_HOPS; hop++) {
    if (flow.greeting && s.record.row.ivr_started_at == null)
      await s.save({ ivr_started_at: s.now() }, 'ivr');
    const choice = await runMenu(s, flow);
    if (flow.greeting)
      await s.save({ ivr_ended_at: s.now(), keys_pressed: JSON.stringify(s.keysPressed) }, 'menu');
    // The seed's greeting "requires the caller to press a button to continue": no default route after
    // the last repeat (option 1 is the default only without a greeting). The record says why it ended.
    if (choice.kind === 'no-input') return { status: 'finished', hungUpBy: 'system', reason: NO_KEY };
    if (choice.kind === 'option' && choice.option.targetCid) {
      const next = await s.deps.store.campaignFlow(s.companyId, { cid: choice.option.targetCid });
      if (!next) return { status: 'no-target', hungUpBy: 'system' };
      s.flow('campaign_chained', { cid: choice.option.targetCid });
      flow = next;
      continue;
    }
    const attempts = await route(s, flow, choice.kind === 'option' ? choice.option : undefined);
    for (;;) {
      const connected = await attempts.next();
      if (!connected) return { status: 'no-target', hungUpBy: 'system' };
      const end = await connect(s, connected);
      if (end.kind === 'ended') return { status: 'finished', hungUpBy: end.by };
      // Returned, not accepted in time, or not joined to the caller (bridge failed): on to the next
      // handler, as if this one had not answered.
      if (connected.target) attempts.exclude(connected.target.id);
    }
  }
  return { status: 'no-target', hungUpBy: 'system' };
}

interface Attempts {
  next(): Promise<Connected | undefined>;
  exclude(targetId: number): void;
}

/** An option's own routing list, else its target number, else the flow's routing list. */
async function route(
  s: CallSession,
  flow: FlowConfig,
  option?: { id: number; targetNumber: string | null },
): Promise<Attempts> {
  const { store, live, random } = s.deps;
  if (option) {
    if (await store.hasOwnRoutingList('menu_option', option.id))
      return routeList({ owner: 'menu_option', id: option.id });
    if (option.targetNumber) return once(() => dialNumber(s, option.targetNumber!));
  }
  return routeList(flow.routing);

  async function routeList(owner: FlowConfig['routing']): Promise<Attempts> {
    // Data Writing tags sent while the call was live count from its next routing decision on.
    Object.assign(s.tags, await store.takeCallTags(s.uuid, s.now()));
    const input = await store.routingList(s.companyId, owner, s.now(), live.leases);
    const ctx = { now: s.now(), callTags: s.tags, random };
    const plan = planRoute(input.entries, ctx);
    s.flow('routing_decision', { considered: explainRoute(input.entries, ctx, undefined, plan) });
    const queue = reservedFirst(plan, s.reservation?.targetId, s.reservation?.only);
    const excluded = new Set<number>();
    return { next: () => dialPlan(s, queue, input, excluded), exclude: (id) => excluded.add(id) };
  }
}

/**
 * The buyer a claimed reservation promised is dialed before the rest of the plan; with the key's
 * route_only_to_reserved_target, it is the whole plan.
 */
function reservedFirst(plan: DialStep[], targetId: number | null | undefined, only = false): DialStep[] {
  if (targetId == null) return plan;
  const i = plan.findIndex((step) => step.kind === 'single' && step.target.id === targetId);
  if (only) return i < 0 ? [] : [plan[i]];
  return i <= 0 ? plan : [plan[i], ...plan.slice(0, i), ...plan.slice(i + 1)];
}

/** A direct number is tried once; a returned call has nowhere else to go. */
function once(dial: () => Promise<Connected | undefined>): Attempts {
  let tried = false;
  return {
    next: () => {
      if (tried) return Promise.resolve(undefined);
      tried = true;
      return dial();
    },
    exclude: () => {},
  };
}

/** Data Writing tags stored for this caller before the call arrived (the key's campaign, within its TTL). */
function dataWritten(s: CallSession): Promise<Record<string, string>> {
  return s.deps.store.takeCallerTags({
    companyId: s.companyId,
    campaignId: s.ctx.flow.campaignId,
    caller: s.caller,
    callUuid: s.uuid,
    now: s.now(),
  });
}

/**
 * Durations and money from the record's instants; the caller's leg is closed if still up. Also closes a
 * call a stopped process left live (then the clock reads the call's last checkpoint).
 */
export async function finish(s: CallSession, ended: Outcome): Promise<void> {
  const outcome: Outcome = s.endedBySystem ? { ...ended, hungUpBy: 'system' } : ended;
  await s.pixels.atEnd();
  const now = s.now();
  // A placed call whose first leg never answered has no leg of its own to close.
  if (s.anchored) {
    if (!s.callerGone || s.endedBySystem) await s.tel.hangup(s.inLeg);
    await s.legChanged(s.inLeg, s.inDirection, s.record.row.number, {
      status: 'ended',
      ended_at: now,
      hung_up_by: outcome.hungUpBy,
      ...(s.endedBySystem ? { end_reason: s.endedBySystem } : {}),
    });
  }
  const reason =
    outcome.reason ?? (s.aborted && !(s.aborted instanceof CallerHungUp) ? s.aborted.reason : null);
  await s.record.save(
    {
      ...callDurations(s.record.row, now, s.deps.ratePerMinute),
      status: outcome.status,
      hung_up_by: outcome.hungUpBy,
      end_time: now,
      end_reason: reason,
      keys_pressed: JSON.stringify(s.keysPressed),
    },
    now,
  );
  // After the final save: tags written during the call that no routing decision took (docs/compat.md).
  const tags = { ...s.tags, ...(await s.deps.store.takeCallTags(s.uuid, now)) };
  if (JSON.stringify(tags) !== s.record.row.tags) await s.deps.store.addCallTags(s.uuid, tags);
  s.deps.bus.publish({
    type: 'call.ended',
    companyId: s.companyId,
    callUuid: s.uuid,
    at: now,
    status: outcome.status,
    hungUpBy: outcome.hungUpBy,
    ...(reason ? { reason } : {}),
  });
  // Last, so the event carries the final durations, status and conversion.
  await s.webhooks.fire('call_ended');
}
