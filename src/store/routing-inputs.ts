import type { RoutingOwner } from '../domain/flow.js';
import {
  type CapState,
  forgetCompiledRoutes,
  type RoutableGroup,
  type RoutableTarget,
  type RoutingEntry,
} from '../domain/routing.js';
import { ianaZone } from '../domain/timezones.js';
import type { CapClaim, Claim, LeaseCounts, OwnerKey } from '../live/live-state.js';
import { hoursOf } from './business-hours.js';
import { type CapView, capsOf } from './caps.js';
import type { Conn } from './db.js';
import { tagsOf } from './tags.js';

/** What the engine needs about a target beyond the routing decision itself. */
export interface TargetInfo {
  id: number;
  tid: string | null;
  name: string | null;
  number: string;
  sendDigits: string | null;
  timerOffset: number;
  /** Live call return or acceptance (Call Control API), or neither. */
  liveCallMode: 'return' | 'acceptance' | null;
  /** A dynamic buyer's RTB ping URL: its `[inbound_number]` comes from there at dial time. */
  pingUrl: string | null;
  claim: Claim;
}

export interface GroupInfo {
  id: number;
  name: string;
  claim: Claim;
}

export interface RoutingInput {
  entries: RoutingEntry[];
  targets: Map<number, TargetInfo>;
  groups: Map<number, GroupInfo>;
}

/** Reads a routing list with everything the decision needs: hours, caps filled now, tags, live counts. */
export async function loadRoutingList(
  db: Conn,
  occupancy: LeaseCounts,
  companyId: number,
  owner: { owner: RoutingOwner; id: number },
  now: number,
): Promise<RoutingInput> {
  const rows = await db
    .selectFrom('routing_entries')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('owner_type', '=', owner.owner)
    .where('owner_id', '=', owner.id)
    .orderBy('position')
    .execute();
  const groupIds = rows.flatMap((r) => (r.target_group_id ? [r.target_group_id] : []));
  const groups = groupIds.length
    ? await db
        .selectFrom('target_groups')
        .selectAll()
        .where('id', 'in', groupIds)
        .where('company_id', '=', companyId)
        .where('deleted_at', 'is', null)
        .execute()
    : [];
  const members = groupIds.length
    ? await db
        .selectFrom('target_group_members')
        .selectAll()
        .where('target_group_id', 'in', groupIds)
        .orderBy('position')
        .execute()
    : [];
  const targetIds = [
    ...new Set([
      ...rows.flatMap((r) => (r.target_id ? [r.target_id] : [])),
      ...members.map((m) => m.target_id),
    ]),
  ];
  // Live counts in one read (one round trip when the live state is shared).
  const counts = await occupancy.counts([
    ...targetIds.map((id) => `target:${id}` as const),
    ...groupIds.map((id) => `target_group:${id}` as const),
  ]);
  const inProgress = (owner: OwnerKey) => counts.get(owner) ?? 0;
  const targets = await loadTargets(db, inProgress, companyId, targetIds, now);

  const groupCaps = await capsOf(
    db,
    'target_group',
    groups.map((g) => ({ id: g.id, zone: 'Etc/UTC' })),
    now,
    { countUnset: false },
  );
  const groupInfo = new Map<number, GroupInfo>();
  const routableGroups = new Map<number, RoutableGroup>();
  for (const g of groups) {
    const owner = `target_group:${g.id}` as const;
    const caps = groupCaps.get(g.id) ?? [];
    groupInfo.set(g.id, { id: g.id, name: g.name, claim: claimOf(owner, g.concurrency_cap, caps) });
    routableGroups.set(g.id, {
      id: g.id,
      behavior: g.behavior === 2 ? 2 : 1,
      priority: g.priority,
      weight: g.weight,
      caps: capStates(caps),
      concurrencyCap: g.concurrency_cap,
      inProgress: inProgress(owner),
      members: members
        .filter((m) => m.target_group_id === g.id)
        .flatMap((m) => targets.routable.get(m.target_id) ?? []),
    });
  }
  const entries: RoutingEntry[] = rows.flatMap((r): RoutingEntry[] => {
    if (r.target_id) {
      const target = targets.routable.get(r.target_id);
      return target ? [{ kind: 'target', target }] : [];
    }
    const group = r.target_group_id ? routableGroups.get(r.target_group_id) : undefined;
    return group ? [{ kind: 'group', group }] : [];
  });
  return { entries, targets: targets.info, groups: groupInfo };
}

async function loadTargets(
  db: Conn,
  inProgress: (owner: OwnerKey) => number,
  companyId: number,
  ids: number[],
  now: number,
) {
  const routable = new Map<number, RoutableTarget>();
  const info = new Map<number, TargetInfo>();
  if (!ids.length) return { routable, info };
  const rows = await db
    .selectFrom('targets')
    .selectAll()
    .where('id', 'in', ids)
    .where('company_id', '=', companyId)
    .where('deleted_at', 'is', null)
    .execute();
  const hours = await hoursOf(db, ids);
  const tags = await tagsOf(db, 'target', ids);
  const caps = await capsOf(
    db,
    'target',
    rows.map((t) => ({ id: t.id, zone: ianaZone(t.time_zone) })),
    now,
    { countUnset: false },
  );
  for (const t of rows) {
    const owner = `target:${t.id}` as const;
    const capViews = caps.get(t.id) ?? [];
    info.set(t.id, {
      id: t.id,
      tid: t.tid,
      name: t.name,
      number: t.number,
      sendDigits: t.send_digits,
      timerOffset: t.timer_offset,
      liveCallMode: liveCallMode((t as { live_call_mode?: string | null }).live_call_mode),
      pingUrl: t.ping_url,
      claim: claimOf(owner, t.concurrency_cap, capViews),
    });
    routable.set(t.id, {
      id: t.id,
      number: t.number,
      priority: t.priority,
      weight: t.weight,
      timeoutSeconds: t.timeout_seconds,
      paused: t.paused === 1,
      zone: ianaZone(t.time_zone),
      businessHours: (hours.get(t.id) ?? []).map((h) => ({
        dayOfWeek: h.day_of_week,
        workDay: h.work_day === 1,
        timeOpen: h.time_open,
        timeClose: h.time_close,
        invert: h.invert === 1,
      })),
      caps: capStates(capViews),
      concurrencyCap: t.concurrency_cap,
      inProgress: inProgress(owner),
      tags: (tags.get(t.id) ?? []).map(({ key, value, operator }) => ({ key, value, operator })),
    });
  }
  return { routable, info };
}

/**
 * Re-counts the set caps of a routing list read earlier, when cap usage moved (a call connected, a new
 * period began) but nothing else did: one grouped query per owner kind. The list's objects are the
 * caller's own copy (a cache), updated in place between two synchronous routing decisions.
 */
export async function refreshCapStates(
  db: Conn,
  entries: readonly RoutingEntry[],
  now: number,
): Promise<void> {
  const targets = new Map<number, RoutableTarget>();
  const groups = new Map<number, RoutableGroup>();
  const addTarget = (t: RoutableTarget) => {
    if (t.caps.length) targets.set(t.id, t);
  };
  for (const e of entries) {
    if (e.kind === 'target') addTarget(e.target);
    else {
      if (e.group.caps.length) groups.set(e.group.id, e.group);
      e.group.members.forEach(addTarget);
    }
  }
  const opts = { countUnset: false };
  const [targetCaps, groupCaps] = await Promise.all([
    capsOf(
      db,
      'target',
      [...targets.values()].map((t) => ({ id: t.id, zone: t.zone })),
      now,
      opts,
    ),
    capsOf(
      db,
      'target_group',
      [...groups.keys()].map((id) => ({ id, zone: 'Etc/UTC' })),
      now,
      opts,
    ),
  ]);
  for (const t of targets.values()) t.caps = capStates(targetCaps.get(t.id) ?? []);
  for (const g of groups.values()) g.caps = capStates(groupCaps.get(g.id) ?? []);
  // Routing precomputed which caps were full.
  forgetCompiledRoutes(entries);
}

function liveCallMode(raw: string | null | undefined): TargetInfo['liveCallMode'] {
  return raw === 'return' || raw === 'acceptance' ? raw : null;
}

function capStates(caps: CapView[]): CapState[] {
  return caps.map((c) => ({ type: c.type, cap: c.cap, filled: c.filled }));
}

function claimOf(owner: Claim['owner'], concurrencyCap: number | null, caps: CapView[]): Claim {
  const capClaims: CapClaim[] = caps
    .filter((c) => c.cap !== null)
    .map((c) => ({
      window: `${owner}:${c.type}:${c.windowStart}`,
      limit: c.cap as number,
      stored: c.filled,
    }));
  return { owner, concurrencyCap, caps: capClaims };
}
