import { randomUUID } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import type { Clock } from '../clock.js';
import { type ConversionRule, decidingRules } from '../domain/conversions.js';
import { type FieldErrors, Gone, NotFound, Unauthenticated, ValidationFailed } from '../domain/errors.js';
import { toCents } from '../domain/money.js';
import { phoneInfo, toE164 } from '../domain/phone.js';
import type { Random } from '../domain/random-ids.js';
import { firstTarget, type RoutingEntry } from '../domain/routing.js';
import type { Leases, OwnerKey } from '../live/live-state.js';
import type { Db } from '../store/db.js';
import { loadRoutingList } from '../store/routing-inputs.js';
import type { NumberPoolsTable } from '../store/schema.js';
import type { CallsTable } from '../store/schema-calls.js';
import type { PostbackKeysTable } from '../store/schema-rtb.js';
import type { ConversionRuleService } from './conversion-rules.js';
import { TtlCache } from './postback-keys.js';
import type { NumberSource, Reservation, ReservationDraft, ReservationService } from './reservations.js';

type PostbackKey = Selectable<PostbackKeysTable>;

/** A ping as the endpoints parsed it: every parameter not named here is a tag. */
export interface PingInput {
  key?: string;
  publisherId?: string;
  callerNumber?: string;
  inboundNumber?: string;
  tags: Record<string, string>;
}

export interface ReservationFacts {
  call?: Selectable<CallsTable>;
  target?: { id: number; tid: string | null; name: string | null; number: string };
}

export interface PingResult {
  reservation: Reservation;
  /** The answer is the caller's earlier live reservation (Retreaver's ping shield). */
  shielded: boolean;
}

/**
 * A campaign's routing list is read once and then checked every ROUTING_CACHE_MS (clock time) against a
 * cheap fingerprint of what routing reads (counts, latest changes and sums of the settings of targets,
 * groups, hours, tags, caps and their hits, the list, conversion rules); it is read again only when that changed. Reading 1,000 targets with their hours,
 * tags and caps costs ~100 ms, far over a ping's budget, so meanwhile pings use the previous read for up to
 * twice that long. Live call counts are read on every ping. So a change reaches RTB answers within
 * ROUTING_CACHE_MS to twice that.
 */
export const ROUTING_CACHE_MS = 5000;

/** A key read from the store is trusted this long; revoking through this process drops it at once. */
export const KEY_CACHE_MS = 1000;

interface CachedCampaign {
  loadedAt: number;
  checkedAt: number;
  fingerprint: string;
  /** The campaign's routing list as routing reads it (live counts are read per ping). */
  entries: RoutingEntry[];
  /** Targets and groups of the list, whose live counts each ping reads in one go. */
  owners: OwnerKey[];
  rules: ConversionRule[];
}

/**
 * Real-time bidding: which buyer would take this caller now (asked without dialing), at what payout,
 * and an inbound number held for the caller until the reservation expires or the call claims it.
 */
export class RtbService {
  private readonly cache = new Map<number, { entry?: CachedCampaign; refreshing?: Promise<void> }>();
  // Lookups every ping repeats, kept briefly: keys (dropped at once on revoke), publishers, pools.
  private readonly keys = new TtlCache<PostbackKey>(KEY_CACHE_MS);
  private readonly publishers = new TtlCache<{ id: number; afid: string }>(ROUTING_CACHE_MS);
  private readonly poolLists = new TtlCache<Selectable<NumberPoolsTable>[]>(ROUTING_CACHE_MS);

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly leases: Leases,
    private readonly reservations: ReservationService,
    private readonly conversionRules: ConversionRuleService,
  ) {}

  async ping(input: PingInput): Promise<PingResult> {
    const key = await this.postbackKey(input.key);
    const { caller, publisher, inbound } = await this.checkInput(key, input);
    const tags = prefixed(key.tag_prefix, input.tags);
    if (key.paused === 1) {
      const draft = { ...this.draft(key, caller, publisher, tags), targetId: null };
      return {
        reservation: await this.reservations.record(draft, 'paused', this.clock.now()),
        shielded: false,
      };
    }
    // One ping per caller and campaign at a time in this process, so the shield sees the first one's result.
    return this.reservations.exclusive(`caller:${key.campaign_id}:${caller}`, async () => {
      const now = this.clock.now();
      // Without a caller number (allow_no_caller_number) there is no caller to shield or supersede.
      if (caller !== '' && key.ping_shield === 1) {
        const live = await this.reservations.live(key.campaign_id, caller, now);
        if (live) return { reservation: live, shielded: true };
      } else if (caller !== '') {
        await this.reservations.supersede(key.campaign_id, caller, now);
      }
      const draft = await this.withinTimeout(key, this.decide(key, caller, publisher, tags, now), () => ({
        ...this.draft(key, caller, publisher, tags),
        targetId: null,
      }));
      if (draft.targetId === null)
        return { reservation: await this.reservations.record(draft, 'no-target', now), shielded: false };
      const source: NumberSource = inbound ?? {
        kind: 'pools',
        pools: await this.pools(key, publisher?.id ?? null),
      };
      const expiresAt = now + key.reservation_seconds * 1000;
      // `add_to_caps_on_status_reserved`: the buyer's slot is taken first, atomically against its
      // concurrency cap (pings on every node race for it); a ping that loses the race answers no-target.
      const holdId = key.add_to_caps_on_status_reserved === 1 ? randomUUID() : undefined;
      if (holdId && !(await this.holdSlot(holdId, key.campaign_id, draft.targetId, expiresAt)))
        return { reservation: await this.reservations.record(draft, 'no-target', now), shielded: false };
      let row: Reservation | undefined;
      try {
        row = await this.reservations.reserve({ ...draft, uuid: holdId }, source, expiresAt);
      } finally {
        if (holdId && !row) await this.leases.unhold(`reservation:${holdId}`);
      }
      return {
        reservation: row ?? (await this.reservations.record(draft, 'no-number', now)),
        shielded: false,
      };
    });
  }

  /** A reservation as a live postback key of its campaign may see it. */
  async reservationByKey(uuid: string, key: unknown): Promise<Reservation> {
    const k =
      typeof key === 'string' && key
        ? await this.db
            .selectFrom('postback_keys')
            .select(['campaign_id', 'revoked_at'])
            .where('key', '=', key)
            .executeTakeFirst()
        : undefined;
    if (!k || k.revoked_at !== null)
      throw new Unauthenticated('Unauthorized: unknown or revoked postback key');
    const row = await this.db
      .selectFrom('reservations')
      .selectAll()
      .where('uuid', '=', uuid)
      .where('campaign_id', '=', k.campaign_id)
      .executeTakeFirst();
    if (!row) throw new NotFound('Call reservation');
    return row;
  }

  /** What a call reservation shows besides itself: the call that claimed it and the buyer it names. */
  async reservationFacts(r: Reservation): Promise<ReservationFacts> {
    const call = r.call_uuid
      ? await this.db.selectFrom('calls').selectAll().where('uuid', '=', r.call_uuid).executeTakeFirst()
      : undefined;
    const target = r.target_id
      ? await this.db
          .selectFrom('targets')
          .select(['id', 'tid', 'name', 'number'])
          .where('id', '=', r.target_id)
          .executeTakeFirst()
      : undefined;
    return { call, target };
  }

  /**
   * The buyer choice may take the key's `timeout` on the injected clock (DESIGN.md §4: every timeout
   * reads it, so a manual clock decides when it is up); a slower one is abandoned (it only reads) and
   * the ping answers no-target.
   */
  private async withinTimeout(
    key: PostbackKey,
    decision: Promise<ReservationDraft>,
    late: () => ReservationDraft,
  ): Promise<ReservationDraft> {
    let cancel = () => {};
    const timeout = new Promise<ReservationDraft>((resolve) => {
      cancel = this.clock.schedule(key.timeout_ms, () => resolve(late()));
    });
    try {
      return await Promise.race([decision, timeout]);
    } finally {
      cancel();
    }
  }

  /** `add_to_caps_on_status_reserved`: the buyer's concurrency counts the reservation until claim or expiry. */
  private async holdSlot(uuid: string, campaignId: number, targetId: number, expiresAt: number) {
    const ttlMs = Math.max(0, expiresAt - this.clock.now());
    const cap = concurrencyCapOf(this.cache.get(campaignId)?.entry?.entries ?? [], targetId);
    if (!(await this.leases.hold(`reservation:${uuid}`, `target:${targetId}`, ttlMs, cap))) return false;
    this.clock.schedule(ttlMs, () => void this.leases.unhold(`reservation:${uuid}`).catch(() => undefined));
    return true;
  }

  private draft(
    key: PostbackKey,
    caller: string,
    publisher: { id: number; afid: string },
    tags: Record<string, string>,
  ): ReservationDraft {
    return {
      companyId: key.company_id,
      campaignId: key.campaign_id,
      postbackKeyId: key.id,
      affiliateId: publisher.id,
      afid: publisher.afid,
      callerNumber: caller,
      targetId: null,
      tags,
      payoutCents: null,
      seconds: null,
    };
  }

  /** A live key by its secret, through the pings' cache (Data Writing uses the same keys). */
  keyFor(key: string | undefined): Promise<PostbackKey> {
    return this.postbackKey(key);
  }

  /** Forgets a revoked key now (other nodes forget it within KEY_CACHE_MS). */
  forgetKey(key: string): void {
    this.keys.delete(key);
  }

  private async postbackKey(key: string | undefined): Promise<PostbackKey> {
    const now = this.clock.now();
    const cached = key ? this.keys.get(key, now) : undefined;
    if (cached) return cached;
    const row = key
      ? await this.db
          .selectFrom('postback_keys as k')
          .innerJoin('campaigns as c', 'c.id', 'k.campaign_id')
          .selectAll('k')
          .select('c.deleted_at as campaign_deleted_at')
          .where('k.key', '=', key)
          .executeTakeFirst()
      : undefined;
    if (!row || row.revoked_at !== null)
      throw new Unauthenticated('Unauthorized: unknown or revoked postback key');
    if (row.campaign_deleted_at !== null) throw new Gone('Campaign');
    this.keys.set(row.key, row, now);
    return row;
  }

  /** Every problem with the ping's parameters at once, as field errors. */
  private async checkInput(key: PostbackKey, input: PingInput) {
    const errors: FieldErrors = {};
    const fail = (field: string, message: string) => {
      errors[field] = [...(errors[field] ?? []), message];
    };
    const blankCaller = !input.callerNumber?.trim();
    const caller = blankCaller
      ? key.allow_no_caller_number === 1
        ? ''
        : undefined
      : toE164(input.callerNumber!);
    if (blankCaller && caller === undefined) fail('caller_number', "can't be blank");
    else if (caller === undefined) fail('caller_number', 'is not a valid phone number');
    const afid = input.publisherId?.trim();
    if (!afid) fail('publisher_id', "can't be blank");
    const publisher = afid ? await this.publisher(key.company_id, afid) : undefined;
    if (afid && !publisher) fail('publisher_id', 'does not match any publisher: create the publisher first');
    for (const tag of JSON.parse(key.required_tags) as string[]) {
      if (!input.tags[tag]?.trim()) fail(tag, "can't be blank");
    }
    // The key's own inbound_number stands in when the ping names none.
    const inboundNumber = input.inboundNumber?.trim()
      ? input.inboundNumber
      : (key.inbound_number ?? undefined);
    const inbound = inboundNumber ? await this.staticNumber(key, inboundNumber, fail) : undefined;
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
    return { caller: caller!, publisher: publisher!, inbound };
  }

  /** Unknown publishers are not remembered, so one created after a refused ping works at once. */
  private async publisher(companyId: number, afid: string) {
    const now = this.clock.now();
    const cacheKey = `${companyId}:${afid}`;
    const cached = this.publishers.get(cacheKey, now);
    if (cached) return cached;
    const row = await this.db
      .selectFrom('affiliates')
      .select(['id', 'afid'])
      .where('company_id', '=', companyId)
      .where('afid', '=', afid)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (row) this.publishers.set(cacheKey, row, now);
    return row;
  }

  /** `inbound_number` must be a live number of the key's campaign: the call must ring there. */
  private async staticNumber(key: PostbackKey, raw: string, fail: (f: string, m: string) => void) {
    const number = toE164(raw);
    const row = number
      ? await this.db
          .selectFrom('numbers')
          .select(['id', 'number'])
          .where('number', '=', number)
          .where('company_id', '=', key.company_id)
          .where('campaign_id', '=', key.campaign_id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst()
      : undefined;
    if (!row) fail('inbound_number', 'is not a number of this campaign');
    return row ? ({ kind: 'static', id: row.id, number: row.number } as const) : undefined;
  }

  /** The buyer and payout: the first step of the routing plan, the deciding conversion rule for it. */
  private async decide(
    key: PostbackKey,
    caller: string,
    publisher: { id: number; afid: string },
    pingTags: Record<string, string>,
    now: number,
  ): Promise<ReservationDraft> {
    const campaign = await this.campaign(key, now);
    const counts = await this.leases.counts(campaign.owners);
    const tags = { ...(caller ? geoTag(caller) : {}), ...pingTags };
    const targetId = firstTarget(campaign.entries, {
      now,
      callTags: tags,
      random: this.random,
      // The cached entries are shared by every ping: live counts are read, never written into them.
      inProgress: (owner, id) => counts.get(`${owner}:${id}`) ?? 0,
    });
    const rule = targetId === null ? undefined : payoutRule(campaign.rules, targetId, publisher.id);
    return {
      companyId: key.company_id,
      campaignId: key.campaign_id,
      postbackKeyId: key.id,
      affiliateId: publisher.id,
      afid: publisher.afid,
      callerNumber: caller,
      targetId,
      tags: pingTags,
      payoutCents: rule ? toCents(rule.payout) : null,
      seconds: rule ? rule.seconds : null,
    };
  }

  /** The campaign's routing candidates and rules (see ROUTING_CACHE_MS). */
  private async campaign(key: PostbackKey, now: number): Promise<CachedCampaign> {
    const s = this.cache.get(key.campaign_id) ?? {};
    this.cache.set(key.campaign_id, s);
    if (s.entry && now - s.entry.checkedAt < ROUTING_CACHE_MS) return s.entry;
    s.refreshing ??= this.refresh(key, s, now).finally(() => {
      s.refreshing = undefined;
    });
    if (s.entry && now - s.entry.loadedAt < 2 * ROUTING_CACHE_MS) {
      s.refreshing.catch(() => undefined);
      return s.entry;
    }
    await s.refreshing;
    return s.entry!;
  }

  private async refresh(key: PostbackKey, slot: { entry?: CachedCampaign }, now: number): Promise<void> {
    const fingerprint = await this.fingerprint(key);
    if (slot.entry && slot.entry.fingerprint === fingerprint) {
      slot.entry.checkedAt = now;
      slot.entry.loadedAt = now;
      return;
    }
    const owner = { owner: 'campaign' as const, id: key.campaign_id };
    const [input, rules] = await Promise.all([
      loadRoutingList(this.db, this.leases, key.company_id, owner, now),
      this.conversionRules.forCampaign(key.campaign_id),
    ]);
    slot.entry = {
      loadedAt: now,
      checkedAt: now,
      fingerprint,
      entries: input.entries,
      owners: [
        ...[...input.targets.keys()].map((id) => `target:${id}` as const),
        ...[...input.groups.keys()].map((id) => `target_group:${id}` as const),
      ],
      rules,
    };
  }

  /** Counts and latest changes of everything routing reads: equal fingerprints, same routing list. */
  private async fingerprint(key: PostbackKey): Promise<string> {
    // Ids come from our own rows (integers), so they are written into the SQL as they are.
    const co = `company_id = ${Number(key.company_id)}`;
    const camp = Number(key.campaign_id);
    const parts = [
      `select count(*) from targets where ${co}`,
      `select max(updated_at) + max(coalesce(deleted_at, 0)) from targets where ${co}`,
      `select sum(paused) + 3 * sum(priority) + 7 * sum(weight) + 11 * sum(coalesce(concurrency_cap, -1)) from targets where ${co}`,
      'select count(*) + max(updated_at) + sum(time_open) + 3 * sum(time_close) + 7 * sum(work_day) + 11 * sum(invert) from business_hours',
      `select count(*) + max(updated_at) + sum(coalesce(cap, -1)) + 3 * count(reset_at) from caps where ${co}`,
      'select max(id) from cap_hits',
      `select max(updated_at) + max(coalesce(deleted_at, 0)) from target_groups where ${co}`,
      'select count(*) from target_group_members',
      `select count(*) + max(id) from routing_entries where owner_type = 'campaign' and owner_id = ${camp}`,
      `select count(*) + max(id) from tag_values where ${co}`,
      `select count(*) + max(updated_at) from conversion_rules where campaign_id = ${camp}`,
    ];
    const query = `select ${parts.map((p, i) => `(${p}) as f${i}`).join(', ')}`;
    const { rows } = await sql.raw<Record<string, unknown>>(query).execute(this.db);
    return JSON.stringify(Object.values(rows[0] ?? {}).map((v) => (v === null ? null : Number(v))));
  }

  /** The key's pool, else the campaign's live pools: the publisher's own first, then unassigned ones. */
  private async pools(key: PostbackKey, affiliateId: number | null) {
    const now = this.clock.now();
    const cacheKey = `${key.id}:${affiliateId}`;
    const cached = this.poolLists.get(cacheKey, now);
    if (cached) return cached;
    const pools = await this.readPools(key, affiliateId);
    this.poolLists.set(cacheKey, pools, now);
    return pools;
  }

  private async readPools(key: PostbackKey, affiliateId: number | null) {
    let q = this.db
      .selectFrom('number_pools')
      .selectAll()
      .where('company_id', '=', key.company_id)
      .where('campaign_id', '=', key.campaign_id)
      .where('deleted_at', 'is', null);
    q = key.number_pool_id !== null ? q.where('id', '=', key.number_pool_id) : q;
    const rows = await q.orderBy('id').execute();
    if (key.number_pool_id !== null) return rows;
    return [
      ...rows.filter((p) => affiliateId !== null && p.affiliate_id === affiliateId),
      ...rows.filter((p) => p.affiliate_id === null),
    ];
  }
}

function concurrencyCapOf(entries: readonly RoutingEntry[], targetId: number): number | null {
  for (const e of entries) {
    const t = e.kind === 'target' ? [e.target] : e.group.members;
    const found = t.find((x) => x.id === targetId);
    if (found) return found.concurrencyCap;
  }
  return null;
}

/** The tag a call from this caller will carry (as the engine's screening sets it), so geo-tagged buyers match. */
function geoTag(caller: string): Record<string, string> {
  const info = phoneInfo(caller);
  const geo = [info.areaCode, info.country?.toLowerCase()].filter(Boolean);
  return geo.length ? { geo: geo.join(',') } : {};
}

/**
 * What the publisher is offered: among the rules that would decide for this buyer and publisher (the
 * most specific kind present), the one with the fewest seconds (ties: the oldest), the first a call earns.
 */
export function payoutRule(rules: readonly ConversionRule[], targetId: number, affiliateId: number) {
  let best: ConversionRule | undefined;
  for (const r of decidingRules(rules, { targetId, affiliateId }))
    if (!best || r.seconds < best.seconds) best = r;
  return best;
}

/** `tag_prefix` of the key: the ping's tags are named `<prefix><name>`. */
function prefixed(prefix: string | null, tags: Record<string, string>): Record<string, string> {
  if (!prefix) return tags;
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [`${prefix}${k}`, v]));
}
