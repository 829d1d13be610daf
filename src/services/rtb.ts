import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { type ConversionRule, decidingRules } from '../domain/conversions.js';
import { type FieldErrors, NotFound, Unauthenticated, ValidationFailed } from '../domain/errors.js';
import { toCents } from '../domain/money.js';
import { type PhoneInfo, toE164, toE164WithInfo } from '../domain/phone.js';
import type { Random } from '../domain/random-ids.js';
import { firstTarget, type RoutingEntry } from '../domain/routing.js';
import type { Leases, OwnerKey } from '../live/live-state.js';
import type { Db } from '../store/db.js';
import { PingStatements } from '../store/ping-statements.js';
import type { CallsTable } from '../store/schema-calls.js';
import type { ConversionRuleService } from './conversion-rules.js';
import type { NumberSource, Reservation, ReservationDraft, ReservationService } from './reservations.js';
import {
  type CampaignRouting,
  type CompanyConfig,
  type PostbackKey,
  type Publisher,
  RtbConfigCache,
} from './rtb-config.js';

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

/** A ping answered from a cache that turned out stale: it starts again with fresh reads. */
class StaleConfig extends Error {}

/** At most this many fresh starts per ping (a configuration changing faster than pings are answered). */
const MAX_STALE_RETRIES = 2;

/**
 * Real-time bidding: which buyer would take this caller now (asked without dialing), at what payout,
 * and an inbound number held for the caller until the reservation expires or the call claims it.
 *
 * A ping that reserves a pool number runs two statements: one read (the company's configuration
 * version, the newest cap hit and the ping shield's row together) and the INSERT that picks and holds
 * the number. Keys, publishers, pools and routing lists come from caches that the version read drops
 * as soon as anything they hold changed (src/services/rtb-config.ts).
 */
export class RtbService {
  private readonly statements: PingStatements;
  private readonly config: RtbConfigCache;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly leases: Leases,
    private readonly reservations: ReservationService,
    conversionRules: ConversionRuleService,
  ) {
    this.statements = new PingStatements(db);
    this.config = new RtbConfigCache(db, this.statements, leases, conversionRules);
  }

  async ping(input: PingInput): Promise<PingResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.tryPing(input, attempt >= MAX_STALE_RETRIES);
      } catch (err) {
        if (!(err instanceof StaleConfig)) throw err;
      }
    }
  }

  /** One try at a ping; throws StaleConfig when a cache it used was out of date (unless `last`). */
  private async tryPing(input: PingInput, last: boolean): Promise<PingResult> {
    const { key, requiredTags, config } = await this.config.key(input.key);
    let checked: Awaited<ReturnType<RtbService['checkInput']>>;
    try {
      checked = await this.checkInput(key, requiredTags, config, input);
    } catch (err) {
      // Refused by what the cache says (the key's required tags, a publisher since deleted): only if current.
      if (!last && !(await this.config.isCurrent(config))) throw new StaleConfig();
      throw err;
    }
    const { caller, publisher, inbound, geo } = checked;
    const tags = prefixed(key.tag_prefix, input.tags);
    if (key.paused === 1) {
      if (!last && !(await this.config.isCurrent(config))) throw new StaleConfig();
      const draft = { ...this.draft(key, caller, publisher, tags), targetId: null };
      return {
        reservation: await this.reservations.record(draft, 'paused', this.clock.now()),
        shielded: false,
      };
    }
    // One ping per caller and campaign at a time in this process, so the shield sees the first one's result.
    return this.reservations.exclusive(`caller:${key.campaign_id}:${caller}`, async () => {
      const now = this.clock.now();
      const read = await this.statements.shieldRead({
        companyId: key.company_id,
        campaignId: key.campaign_id,
        caller,
        now,
      });
      if (!last && this.config.at(key.company_id, read.config) !== config) throw new StaleConfig();
      // Without a caller number (allow_no_caller_number) there is no caller to shield or supersede.
      if (caller !== '' && key.ping_shield === 1) {
        if (read.live && read.live.expires_at !== null && read.live.expires_at > now)
          return { reservation: read.live, shielded: true };
      } else if (caller !== '' && read.live) {
        await this.reservations.supersede(key.campaign_id, caller, now);
      }
      const routing = this.config.campaign(config, key, read.hits, now);
      const decide = async (c: CampaignRouting) => {
        // Live counts of the owners under a concurrency cap (the only ones routing reads), in one go.
        const counts = c.owners.length ? await this.leases.counts(c.owners) : NO_COUNTS;
        return { campaign: c, draft: await this.decide(c, counts, key, caller, geo, publisher, tags, now) };
      };
      const late = (): { campaign?: CampaignRouting; draft: ReservationDraft } => ({
        draft: { ...this.draft(key, caller, publisher, tags), targetId: null },
      });
      // The key's timeout bounds the whole choice (a first read of the list, a slow live state).
      const { campaign, draft } = await this.withinTimeout(
        key,
        routing instanceof Promise ? routing.then(decide) : decide(routing),
        late,
      );
      if (draft.targetId === null)
        return { reservation: await this.reservations.record(draft, 'no-target', now), shielded: false };
      const source: NumberSource = inbound ?? {
        kind: 'pools',
        pools: await this.config.pools(config, key, publisher?.id ?? null),
      };
      const expiresAt = now + key.reservation_seconds * 1000;
      // `add_to_caps_on_status_reserved`: the buyer's slot is taken first, atomically against its
      // concurrency cap (pings on every node race for it); a ping that loses the race answers no-target.
      const holdId = key.add_to_caps_on_status_reserved === 1 ? randomUUID() : undefined;
      const cap = concurrencyCapOf(campaign?.entries ?? [], draft.targetId);
      if (holdId && !(await this.holdSlot(holdId, cap, draft.targetId, expiresAt)))
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
  private async withinTimeout<T>(key: PostbackKey, decision: Promise<T>, late: () => T): Promise<T> {
    let cancel = () => {};
    const timeout = new Promise<T>((resolve) => {
      cancel = this.clock.schedule(key.timeout_ms, () => resolve(late()));
    });
    try {
      return await Promise.race([decision, timeout]);
    } finally {
      cancel();
    }
  }

  /** `add_to_caps_on_status_reserved`: the buyer's concurrency counts the reservation until claim or expiry. */
  private async holdSlot(uuid: string, cap: number | null, targetId: number, expiresAt: number) {
    const ttlMs = Math.max(0, expiresAt - this.clock.now());
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

  /** A live key by its secret, through the pings' cache (Data Writing uses the same keys), checked current. */
  async keyFor(secret: string | undefined): Promise<PostbackKey> {
    for (let attempt = 0; ; attempt++) {
      const { key, config } = await this.config.key(secret);
      if (attempt >= MAX_STALE_RETRIES || (await this.config.isCurrent(config))) return key;
    }
  }

  /** Forgets a revoked key now (other processes on their next ping: the revocation moved the version). */
  forgetKey(key: string): void {
    this.config.forgetKey(key);
  }

  /** Every problem with the ping's parameters at once, as field errors. */
  private async checkInput(
    key: PostbackKey,
    requiredTags: readonly string[],
    config: CompanyConfig,
    input: PingInput,
  ) {
    const errors: FieldErrors = {};
    const fail = (field: string, message: string) => {
      errors[field] = [...(errors[field] ?? []), message];
    };
    const blankCaller = !input.callerNumber?.trim();
    const parsed = blankCaller ? undefined : toE164WithInfo(input.callerNumber!);
    const caller = blankCaller ? (key.allow_no_caller_number === 1 ? '' : undefined) : parsed?.e164;
    if (blankCaller && caller === undefined) fail('caller_number', "can't be blank");
    else if (caller === undefined) fail('caller_number', 'is not a valid phone number');
    const afid = input.publisherId?.trim();
    if (!afid) fail('publisher_id', "can't be blank");
    const publisher = afid ? await this.config.publisher(config, afid) : undefined;
    if (afid && !publisher) fail('publisher_id', 'does not match any publisher: create the publisher first');
    for (const tag of requiredTags) {
      if (!input.tags[tag]?.trim()) fail(tag, "can't be blank");
    }
    // The key's own inbound_number stands in when the ping names none.
    const inboundNumber = input.inboundNumber?.trim()
      ? input.inboundNumber
      : (key.inbound_number ?? undefined);
    const inbound = inboundNumber ? await this.staticNumber(key, inboundNumber, fail) : undefined;
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
    return { caller: caller!, publisher: publisher!, inbound, geo: parsed ? geoTag(parsed.info) : {} };
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
  private decide(
    campaign: CampaignRouting,
    counts: ReadonlyMap<OwnerKey, number>,
    key: PostbackKey,
    caller: string,
    geo: Record<string, string>,
    publisher: Publisher,
    pingTags: Record<string, string>,
    now: number,
  ): ReservationDraft {
    const targetId = firstTarget(campaign.entries, {
      now,
      callTags: { ...geo, ...pingTags },
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
}

const NO_COUNTS: ReadonlyMap<OwnerKey, number> = new Map();

function concurrencyCapOf(entries: readonly RoutingEntry[], targetId: number): number | null {
  for (const e of entries) {
    const t = e.kind === 'target' ? [e.target] : e.group.members;
    const found = t.find((x) => x.id === targetId);
    if (found) return found.concurrencyCap;
  }
  return null;
}

/** The tag a call from this caller will carry (as the engine's screening sets it), so geo-tagged buyers match. */
function geoTag(info: PhoneInfo): Record<string, string> {
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
