import { type DialStep, planRoute } from '../domain/routing.js';
import { explainRoute } from '../domain/routing-explain.js';
import { addCallTags, takeCallerTags, takeCallTags } from '../store/stored-tags.js';
import { type FlowConfig, loadCampaignFlow } from './flow-config.js';
import { loadRoutingList } from './routables.js';
import { CallerHungUp, type CallSession } from './session.js';
import { connect } from './steps/connect.js';
import { type Connected, dialNumber, dialPlan } from './steps/dial.js';
import { runMenu } from './steps/menu.js';
import { initialTags, passSuppression, randomizeStaticCaller } from './steps/screen.js';

/** How many times a menu may send the caller on to another campaign (`target_cid`) before we stop. */
const MAX_CAMPAIGN_HOPS = 5;

type Outcome = { status: string; hungUpBy: 'caller' | 'target' | 'system' };

/** The whole life of an inbound call: screen, greet, route, connect, and always a final record. */
export async function runCall(s: CallSession): Promise<void> {
  let outcome: Outcome = { status: 'finished', hungUpBy: 'system' };
  try {
    await s.deps.driver.answer(s.inLeg);
    outcome = await script(s);
  } catch (err) {
    if (!(err instanceof CallerHungUp)) throw err;
    outcome = { status: 'finished', hungUpBy: 'caller' };
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
    if (choice.kind === 'no-input') return { status: 'finished', hungUpBy: 'system' };
    if (choice.kind === 'option' && choice.option.targetCid) {
      const next = await loadCampaignFlow(s.deps.db, s.companyId, { cid: choice.option.targetCid });
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
      // Returned (or not accepted in time): on to the next handler, as if this one had not answered.
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
  const { db, occupancy, random } = s.deps;
  if (option) {
    const own = await db
      .selectFrom('routing_entries')
      .select('id')
      .where('owner_type', '=', 'menu_option')
      .where('owner_id', '=', option.id)
      .executeTakeFirst();
    if (own) return routeList({ owner: 'menu_option', id: option.id });
    if (option.targetNumber) return once(() => dialNumber(s, option.targetNumber!));
  }
  return routeList(flow.routing);

  async function routeList(owner: FlowConfig['routing']): Promise<Attempts> {
    // Data Writing tags sent while the call was live count from its next routing decision on.
    Object.assign(s.tags, await takeCallTags(db, s.uuid, s.now()));
    const input = await loadRoutingList(db, occupancy, s.companyId, owner, s.now());
    const ctx = { now: s.now(), callTags: s.tags, random };
    s.flow('routing_decision', { considered: explainRoute(input.entries, ctx) });
    const queue = reservedFirst(planRoute(input.entries, ctx), s.reservation?.targetId, s.reservation?.only);
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
  return takeCallerTags(s.deps.db, {
    companyId: s.companyId,
    campaignId: s.ctx.flow.campaignId,
    caller: s.caller,
    callUuid: s.uuid,
    now: s.now(),
  });
}

/** Durations and money from the record's instants; the caller's leg is closed if still up. */
async function finish(s: CallSession, ended: Outcome): Promise<void> {
  const outcome: Outcome = s.endedBySystem ? { ...ended, hungUpBy: 'system' } : ended;
  await s.pixels.atEnd();
  const now = s.now();
  if (!s.callerGone || s.endedBySystem) await s.deps.driver.hangup(s.inLeg);
  await s.legChanged(s.inLeg, 'inbound', s.record.row.number, {
    status: 'ended',
    ended_at: now,
    hung_up_by: outcome.hungUpBy,
    ...(s.endedBySystem ? { end_reason: s.endedBySystem } : {}),
  });
  const r = s.record.row;
  const secs = (from: number | null | undefined, to: number | null | undefined) =>
    from == null || to == null ? 0 : Math.max(0, Math.round((to - from) / 1000));
  const total = secs(r.start_time, now);
  // A caller who hangs up in the menu spent the whole call there.
  const ivr = secs(r.ivr_started_at, r.ivr_ended_at ?? now);
  const waitFrom = r.ivr_ended_at ?? (r.forwarded_time != null ? r.start_time : null);
  const hold =
    r.forwarded_time == null && r.ivr_ended_at == null ? 0 : secs(waitFrom, r.connected_time ?? now);
  const billable = total > 0 ? Math.ceil(total / 60) : 0;
  await s.record.save(
    {
      status: outcome.status,
      hung_up_by: outcome.hungUpBy,
      end_time: now,
      total_duration: total,
      ivr_duration: ivr,
      hold_duration: hold,
      dialed_call_duration: secs(r.connected_time, now),
      time_to_connect_in_seconds: ivr + hold,
      keys_pressed: JSON.stringify(s.keysPressed),
      billable_minutes: billable,
      charge_total: Math.round(billable * s.deps.ratePerMinute * 100) / 100,
    },
    now,
  );
  // After the final save: tags written during the call that no routing decision took (docs/compat.md).
  const tags = { ...s.tags, ...(await takeCallTags(s.deps.db, s.uuid, now)) };
  if (JSON.stringify(tags) !== s.record.row.tags) await addCallTags(s.deps.db, s.uuid, tags);
  s.deps.bus.publish({
    type: 'call.ended',
    companyId: s.companyId,
    callUuid: s.uuid,
    at: now,
    status: outcome.status,
    hungUpBy: outcome.hungUpBy,
  });
  // Last, so the event carries the final durations, status and conversion.
  await s.webhooks.fire('call_ended');
}
