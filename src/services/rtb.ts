import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { type ConversionRule, decidingRules } from '../domain/conversions.js';
import { Gone, Unauthenticated, ValidationFailed, type FieldErrors } from '../domain/errors.js';
import { toCents } from '../domain/money.js';
import { phoneInfo, toE164 } from '../domain/phone.js';
import { type DialStep, planRoute, type RoutingEntry } from '../domain/routing.js';
import type { Random } from '../domain/random-ids.js';
import { loadRoutingList, type RoutingInput } from '../engine/routables.js';
import type { Occupancy } from '../live/occupancy.js';
import type { Db } from '../store/db.js';
import type { PostbackKeysTable } from '../store/schema-rtb.js';
import type { ConversionRuleService } from './conversion-rules.js';
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

export interface PingResult {
  reservation: Reservation;
  /** The answer is the caller's earlier live reservation (Retreaver's ping shield). */
  shielded: boolean;
}

/**
 * Routing lists are read at most this often per campaign (clock time). Reading 1,000 targets with
 * their hours, tags and caps costs milliseconds, far over a ping's budget; live call counts are
 * re-read on every ping, so only caps, hours, tags and pauses may lag, by this much at most.
 */
export const ROUTING_CACHE_MS = 1000;

interface CachedCampaign {
  loadedAt: number;
  input: RoutingInput;
  rules: ConversionRule[];
}

/**
 * Real-time bidding: which buyer would take this caller now (asked without dialing), at what payout,
 * and an inbound number held for the caller until the reservation expires or the call claims it.
 */
export class RtbService {
  private readonly cache = new Map<number, { entry?: CachedCampaign; loading?: Promise<CachedCampaign> }>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly occupancy: Occupancy,
    private readonly reservations: ReservationService,
    private readonly conversionRules: ConversionRuleService,
  ) {}

  async ping(input: PingInput): Promise<PingResult> {
    const key = await this.postbackKey(input.key);
    const { caller, publisher, inbound } = await this.checkInput(key, input);
    // One ping per caller and campaign at a time in this process, so the shield sees the first one's result.
    return this.reservations.exclusive(`caller:${key.campaign_id}:${caller}`, async () => {
      const now = this.clock.now();
      if (key.ping_shield === 1) {
        const live = await this.reservations.live(key.campaign_id, caller, now);
        if (live) return { reservation: live, shielded: true };
      } else {
        await this.reservations.supersede(key.campaign_id, caller, now);
      }
      const draft = await this.decide(key, caller, publisher, input.tags, now);
      if (draft.targetId === null) return { reservation: await this.reservations.record(draft, 'no-target', now), shielded: false };
      const source: NumberSource = inbound ?? { kind: 'pools', pools: await this.pools(key, publisher?.id ?? null) };
      const expiresAt = now + key.reservation_seconds * 1000;
      const row = await this.reservations.reserve(draft, source, expiresAt);
      return { reservation: row ?? (await this.reservations.record(draft, 'no-number', now)), shielded: false };
    });
  }

  private async postbackKey(key: string | undefined): Promise<PostbackKey> {
    const row = key
      ? await this.db.selectFrom('postback_keys').selectAll().where('key', '=', key).executeTakeFirst()
      : undefined;
    if (!row || row.revoked_at !== null) throw new Unauthenticated('Unauthorized: unknown or revoked postback key');
    const campaign = await this.db
      .selectFrom('campaigns')
      .select('deleted_at')
      .where('id', '=', row.campaign_id)
      .executeTakeFirst();
    if (!campaign || campaign.deleted_at !== null) throw new Gone('Campaign');
    return row;
  }

  /** Every problem with the ping's parameters at once, as field errors. */
  private async checkInput(key: PostbackKey, input: PingInput) {
    const errors: FieldErrors = {};
    const fail = (field: string, message: string) => {
      errors[field] = [...(errors[field] ?? []), message];
    };
    const caller = input.callerNumber?.trim() ? toE164(input.callerNumber) : undefined;
    if (!input.callerNumber?.trim()) fail('caller_number', "can't be blank");
    else if (!caller) fail('caller_number', 'is not a valid phone number');
    const afid = input.publisherId?.trim();
    if (!afid) fail('publisher_id', "can't be blank");
    const publisher = afid ? await this.publisher(key.company_id, afid) : undefined;
    if (afid && !publisher) fail('publisher_id', 'does not match any publisher: create the publisher first');
    for (const tag of JSON.parse(key.required_tags) as string[]) {
      if (!input.tags[tag]?.trim()) fail(tag, "can't be blank");
    }
    const inbound = input.inboundNumber?.trim() ? await this.staticNumber(key, input.inboundNumber, fail) : undefined;
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
    return { caller: caller!, publisher: publisher!, inbound };
  }

  private publisher(companyId: number, afid: string) {
    return this.db
      .selectFrom('affiliates')
      .select(['id', 'afid'])
      .where('company_id', '=', companyId)
      .where('afid', '=', afid)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
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
    const tags = { ...geoTag(caller), ...pingTags };
    refreshLive(campaign.input.entries, this.occupancy);
    const plan = planRoute(campaign.input.entries, { now, callTags: tags, random: this.random });
    const targetId = plan.length ? firstTarget(plan[0]) : null;
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

  /**
   * The campaign's routing list and rules from the cache. Past half its life an entry is refreshed in
   * the background while pings go on using it; past its whole life pings wait for fresh data.
   */
  private async campaign(key: PostbackKey, now: number): Promise<CachedCampaign> {
    let slot = this.cache.get(key.campaign_id);
    if (!slot) this.cache.set(key.campaign_id, (slot = {}));
    const age = slot.entry ? now - slot.entry.loadedAt : Number.POSITIVE_INFINITY;
    if (age >= ROUTING_CACHE_MS / 2 && !slot.loading) {
      const s = slot;
      s.loading = this.load(key, now).finally(() => {
        s.loading = undefined;
      });
      s.loading.then((entry) => (s.entry = entry)).catch(() => undefined);
    }
    if (age < ROUTING_CACHE_MS) return slot.entry!;
    const entry = await slot.loading!;
    slot.entry = entry;
    return entry;
  }

  private async load(key: PostbackKey, now: number): Promise<CachedCampaign> {
    const owner = { owner: 'campaign' as const, id: key.campaign_id };
    const [input, rules] = await Promise.all([
      loadRoutingList(this.db, this.occupancy, key.company_id, owner, now),
      this.conversionRules.forCampaign(key.campaign_id),
    ]);
    return { loadedAt: now, input, rules };
  }

  /** The key's pool, else the campaign's live pools: the publisher's own first, then unassigned ones. */
  private async pools(key: PostbackKey, affiliateId: number | null) {
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

/** Live call counts change by the millisecond; they are read on every ping, not cached. */
function refreshLive(entries: RoutingEntry[], occupancy: Occupancy): void {
  for (const e of entries) {
    if (e.kind === 'target') {
      e.target.inProgress = occupancy.inProgress(`target:${e.target.id}`);
      continue;
    }
    e.group.inProgress = occupancy.inProgress(`target_group:${e.group.id}`);
    for (const m of e.group.members) m.inProgress = occupancy.inProgress(`target:${m.id}`);
  }
}

function firstTarget(step: DialStep): number {
  return step.kind === 'single' ? step.target.id : step.targets[0].id;
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
  for (const r of decidingRules(rules, { targetId, affiliateId })) if (!best || r.seconds < best.seconds) best = r;
  return best;
}
