import type { Selectable } from 'kysely';
import type { ConversionRule } from '../domain/conversions.js';
import { Gone, Unauthenticated } from '../domain/errors.js';
import type { RoutingEntry } from '../domain/routing.js';
import type { LeaseCounts, OwnerKey } from '../live/live-state.js';
import type { Db } from '../store/db.js';
import type { PingStatements } from '../store/ping-statements.js';
import { loadRoutingList, refreshCapStates } from '../store/routing-inputs.js';
import type { NumberPoolsTable } from '../store/schema.js';
import type { PostbackKeysTable } from '../store/schema-rtb.js';
import type { ConversionRuleService } from './conversion-rules.js';

export type PostbackKey = Selectable<PostbackKeysTable>;
export type Pool = Selectable<NumberPoolsTable>;
export interface Publisher {
  id: number;
  afid: string;
}

/** A cap period can only begin at a quarter hour of UTC (zone offsets are whole quarter hours). */
const CAP_SLOT_MS = 15 * 60_000;

/** A campaign's routing list as routing reads it (live counts are read per ping), and its payout rules. */
export interface CampaignRouting {
  entries: RoutingEntry[];
  /** Targets and groups of the list under a concurrency cap: the live counts a ping reads. */
  owners: OwnerKey[];
  rules: ConversionRule[];
  /** Cap usage as of this cap_hits id and this quarter hour; either moving re-counts the caps. */
  hits: number | null;
  slot: number;
  recounting?: Promise<void>;
}

/**
 * What pings read of one company's configuration, valid as of `version` (its config_changes id, read
 * before anything here was): keys, publishers, pools, routing lists. A ping reads the version in the
 * statement it runs anyway (src/store/ping-statements.ts); when it moved, the whole object is
 * replaced by an empty one, so nothing read before the change is used after it.
 */
export class CompanyConfig {
  readonly keys = new Map<string, { row: PostbackKey; requiredTags: string[] }>();
  readonly publishers = new Map<string, Publisher>();
  readonly pools = new Map<string, Pool[]>();
  readonly campaigns = new Map<number, { loading: Promise<CampaignRouting>; loaded?: CampaignRouting }>();

  constructor(
    readonly companyId: number,
    readonly version: number | null,
  ) {}
}

/**
 * The RTB caches, invalidated on change rather than on a timer: any write to a configuration table
 * (any service, any process) bumps the company's version, and the next ping that reads it drops what
 * was cached. Cap usage moves with connected calls, not configuration: a routing list re-counts its
 * caps (one grouped query) when a cap hit was recorded or a quarter hour began.
 */
export class RtbConfigCache {
  private readonly companies = new Map<number, CompanyConfig>();
  /** Which company a key secret belongs to (never changes). */
  private readonly keyCompanies = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly statements: PingStatements,
    private readonly occupancy: LeaseCounts,
    private readonly conversionRules: ConversionRuleService,
  ) {}

  /** The company's config as of `version`, just read: the cached one when still current, else a new one. */
  at(companyId: number, version: number | null): CompanyConfig {
    const known = this.companies.get(companyId);
    if (known && known.version === version) return known;
    // A read that raced a newer one (versions only grow) does not replace what the newer one set up.
    if (known && known.version !== null && (version === null || version < known.version)) return known;
    const fresh = new CompanyConfig(companyId, version);
    this.companies.set(companyId, fresh);
    return fresh;
  }

  /** Whether `config` is still current: one read of the version (paths that read nothing else). */
  async isCurrent(config: CompanyConfig): Promise<boolean> {
    const { config: version } = await this.statements.versions(config.companyId);
    return this.at(config.companyId, version) === config;
  }

  /** A live key by its secret, and the config it was read into. Unknown, revoked or deleted keys are not remembered. */
  async key(secret: string | undefined) {
    if (!secret) throw new Unauthenticated('Unauthorized: unknown or revoked postback key');
    const companyId = this.keyCompanies.get(secret);
    const known = companyId === undefined ? undefined : this.companies.get(companyId);
    const cached = known?.keys.get(secret);
    if (known && cached) return { key: cached.row, requiredTags: cached.requiredTags, config: known };
    let row = await this.readKey(secret);
    let config = known;
    if (!config || config.companyId !== row.company_id) {
      // A company seen for the first time: its version first, then the key again, so the key is not
      // older than the version it is filed under.
      config = this.at(row.company_id, (await this.statements.versions(row.company_id)).config);
      row = await this.readKey(secret);
    }
    if (this.keyCompanies.size >= 10_000) this.keyCompanies.clear();
    this.keyCompanies.set(secret, row.company_id);
    const entry = { row, requiredTags: JSON.parse(row.required_tags) as string[] };
    config.keys.set(secret, entry);
    return { key: entry.row, requiredTags: entry.requiredTags, config };
  }

  /** Forgets a revoked key at once (its company's version moved too, so other processes drop it on their next ping). */
  forgetKey(secret: string): void {
    const companyId = this.keyCompanies.get(secret);
    if (companyId !== undefined) this.companies.get(companyId)?.keys.delete(secret);
  }

  private async readKey(secret: string) {
    const row = await this.db
      .selectFrom('postback_keys as k')
      .innerJoin('campaigns as c', 'c.id', 'k.campaign_id')
      .selectAll('k')
      .select('c.deleted_at as campaign_deleted_at')
      .where('k.key', '=', secret)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null)
      throw new Unauthenticated('Unauthorized: unknown or revoked postback key');
    if (row.campaign_deleted_at !== null) throw new Gone('Campaign');
    const { campaign_deleted_at: _, ...key } = row;
    return key;
  }

  /** Unknown publishers are not remembered, so one created after a refused ping works at once. */
  async publisher(config: CompanyConfig, afid: string): Promise<Publisher | undefined> {
    const cached = config.publishers.get(afid);
    if (cached) return cached;
    const row = await this.db
      .selectFrom('affiliates')
      .select(['id', 'afid'])
      .where('company_id', '=', config.companyId)
      .where('afid', '=', afid)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (row) config.publishers.set(afid, row);
    return row;
  }

  /** The key's pool, else the campaign's live pools: the publisher's own first, then unassigned ones. */
  async pools(config: CompanyConfig, key: PostbackKey, affiliateId: number | null): Promise<Pool[]> {
    const cacheKey = `${key.id}:${affiliateId}`;
    const cached = config.pools.get(cacheKey);
    if (cached) return cached;
    let q = this.db
      .selectFrom('number_pools')
      .selectAll()
      .where('company_id', '=', key.company_id)
      .where('campaign_id', '=', key.campaign_id)
      .where('deleted_at', 'is', null);
    q = key.number_pool_id !== null ? q.where('id', '=', key.number_pool_id) : q;
    const rows = await q.orderBy('id').execute();
    const pools =
      key.number_pool_id !== null
        ? rows
        : [
            ...rows.filter((p) => affiliateId !== null && p.affiliate_id === affiliateId),
            ...rows.filter((p) => p.affiliate_id === null),
          ];
    config.pools.set(cacheKey, pools);
    return pools;
  }

  /**
   * The campaign's routing list with caps counted as of cap hit `hits` and this quarter hour: at once
   * when cached and current, else a promise (the first read of 1,000 targets with their hours, tags and
   * caps costs ~100 ms; a re-count of caps one grouped query).
   */
  campaign(
    config: CompanyConfig,
    key: PostbackKey,
    hits: number | null,
    now: number,
  ): CampaignRouting | Promise<CampaignRouting> {
    let slot = config.campaigns.get(key.campaign_id);
    if (!slot) {
      const entry: { loading: Promise<CampaignRouting>; loaded?: CampaignRouting } = {
        loading: this.load(key, hits, now),
      };
      entry.loading.then(
        (c) => {
          entry.loaded = c;
        },
        // A failed read is not remembered: the next ping tries again.
        () => config.campaigns.delete(key.campaign_id),
      );
      config.campaigns.set(key.campaign_id, entry);
      slot = entry;
    }
    if (!slot.loaded) return slot.loading.then((c) => this.current(c, hits, now));
    return this.current(slot.loaded, hits, now);
  }

  private current(c: CampaignRouting, hits: number | null, now: number) {
    const slot = Math.floor(now / CAP_SLOT_MS);
    if (c.hits === hits && c.slot === slot) return c;
    c.recounting ??= refreshCapStates(this.db, c.entries, now).then(
      () => {
        c.hits = hits;
        c.slot = slot;
        c.recounting = undefined;
      },
      (err) => {
        c.recounting = undefined;
        throw err;
      },
    );
    return c.recounting.then(() => c);
  }

  private async load(key: PostbackKey, hits: number | null, now: number): Promise<CampaignRouting> {
    const owner = { owner: 'campaign' as const, id: key.campaign_id };
    const [input, rules] = await Promise.all([
      loadRoutingList(this.db, this.occupancy, key.company_id, owner, now),
      this.conversionRules.forCampaign(key.campaign_id),
    ]);
    const owners: OwnerKey[] = [];
    for (const [id, t] of input.targets) if (t.claim.concurrencyCap !== null) owners.push(`target:${id}`);
    for (const [id, g] of input.groups)
      if (g.claim.concurrencyCap !== null) owners.push(`target_group:${id}`);
    return { entries: input.entries, owners, rules, hits, slot: Math.floor(now / CAP_SLOT_MS) };
  }
}
