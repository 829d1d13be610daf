import {
  anyCapFull,
  atConcurrencyCap,
  type CapState,
  type DialStep,
  eligibility,
  type RoutableGroup,
  type RoutableTarget,
  type RouteContext,
  type RoutingEntry,
} from './routing.js';

/** One target or group a routing decision looked at, and why it was skipped (if it was). */
export interface Considered {
  kind: 'target' | 'group';
  id: number;
  number?: string;
  eligible: boolean;
  reason?: 'paused' | 'out of hours' | 'cap' | 'concurrency' | 'tags not matched' | 'already tried';
  detail?: Record<string, unknown>;
  members?: Considered[];
}

/**
 * Why a routing decision took or skipped each target and group of the list: the same rules as planRoute
 * (domain/routing.ts), kept apart from it so the router stays fast and this stays readable. Pure; the
 * engine records its answer as a call-flow event.
 */
export function explainRoute(
  entries: readonly RoutingEntry[],
  ctx: RouteContext,
  tried: ReadonlySet<number> = new Set(),
  plan?: readonly DialStep[],
): Considered[] {
  const out = entries.map((e) =>
    e.kind === 'target' ? explainTarget(e.target, ctx, tried) : explainGroup(e.group, ctx, tried),
  );
  return plan ? markPlannedElsewhere(out, plan) : out;
}

/**
 * planRoute dials a target once however often the list names it (alone and in a group, or in two
 * groups): every other eligible mention is skipped as `already tried`, with where it is dialled
 * (`detail.dialled_in`: a group's id, or null when alone). Eligible mentions left out of the plan for
 * another reason (a group's simuldial step, say) are left as they are.
 */
function markPlannedElsewhere(considered: Considered[], plan: readonly DialStep[]): Considered[] {
  const via = new Map<number, number | null>();
  for (const step of plan) {
    if (step.kind === 'single') via.set(step.target.id, step.group?.id ?? null);
    else for (const t of step.targets) via.set(t.id, step.group.id);
  }
  const mark = (c: Considered, groupId: number | null): Considered => {
    if (!c.eligible || !via.has(c.id) || via.get(c.id) === groupId) return c;
    return { ...c, eligible: false, reason: 'already tried', detail: { dialled_in: via.get(c.id) } };
  };
  return considered.map((c) => {
    if (c.kind === 'target') return mark(c, null);
    if (!c.members) return c;
    const members = c.members.map((m) => mark(m, c.id));
    return { ...c, members, eligible: c.eligible && members.some((m) => m.eligible) };
  });
}

function explainGroup(g: RoutableGroup, ctx: RouteContext, tried: ReadonlySet<number>): Considered {
  const base = { kind: 'group' as const, id: g.id };
  const members = g.members.map((m) => explainTarget(m, ctx, tried));
  if (anyCapFull(g.caps))
    return { ...base, eligible: false, reason: 'cap', detail: capDetail(g.caps), members };
  if (atConcurrencyCap(g.concurrencyCap, g.inProgress))
    return { ...base, eligible: false, reason: 'concurrency', detail: concurrency(g), members };
  return { ...base, eligible: members.some((m) => m.eligible), members };
}

function explainTarget(t: RoutableTarget, ctx: RouteContext, tried: ReadonlySet<number>): Considered {
  const base = { kind: 'target' as const, id: t.id, number: t.number };
  if (tried.has(t.id)) return { ...base, eligible: false, reason: 'already tried' };
  const e = eligibility(t, ctx);
  if (e.ok) return { ...base, eligible: true };
  switch (e.reason) {
    case 'paused':
      return { ...base, eligible: false, reason: 'paused' };
    case 'closed':
      return { ...base, eligible: false, reason: 'out of hours', detail: { time_zone: t.zone } };
    case 'cap':
      return { ...base, eligible: false, reason: 'cap', detail: capDetail(t.caps) };
    case 'concurrency':
      return { ...base, eligible: false, reason: 'concurrency', detail: concurrency(t) };
    case 'tags':
      return {
        ...base,
        eligible: false,
        reason: 'tags not matched',
        detail: { wants: t.tags.map((x) => `${x.key}${x.operator}${x.value}`) },
      };
  }
}

/** The full caps and how full they are (`{type, filled, cap}`). */
function capDetail(caps: readonly CapState[]) {
  return { caps: caps.filter((c) => c.cap !== null && c.filled >= c.cap).map((c) => ({ ...c })) };
}

function concurrency(o: { concurrencyCap: number | null; inProgress: number }) {
  return { in_progress: o.inProgress, concurrency_cap: o.concurrencyCap };
}
