import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import { type FieldErrors, Gone, NotFound, ValidationFailed } from '../domain/errors.js';
import { NUMBER_COUNTRIES, NUMBER_TYPES } from '../domain/number-inventory.js';
import { type Random, randomUuid } from '../domain/random-ids.js';
import type { Conn, Db } from '../store/db.js';
import { affiliateIdsByAfid, campaignIdsByCid } from '../store/lookups.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { NumberPoolsTable } from '../store/schema.js';
import type { CampaignService } from './campaigns.js';

export type NumberPool = Selectable<NumberPoolsTable>;

export interface NumberPoolInput {
  cid?: string;
  afid?: string | null;
  type?: string;
  country?: string;
  max_pool_size?: number;
  buffer_seconds?: number;
  hide_embedded_access?: boolean;
  google_analytics?: boolean;
  reserve_size?: number;
}

export interface NumberPoolFilters {
  cid?: string;
  afid?: string;
}

export interface NumberPoolView {
  pool: NumberPool;
  cid: string;
  afid: string | null;
  numbersCount: number;
}

const DEFAULTS = {
  type: 'Toll-free',
  country: 'US',
  max_pool_size: 10,
  buffer_seconds: 0,
  hide_embedded_access: 0,
  google_analytics: 0,
  reserve_size: 1,
};

/** Pools of numbers handed out to website visitors. */
export class NumberPoolService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly campaigns: CampaignService,
  ) {}

  async list(companyId: number, filters: NumberPoolFilters, page: number): Promise<Page<NumberPoolView>> {
    let q = this.db
      .selectFrom('number_pools')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .orderBy('id');
    if (filters.cid !== undefined)
      q = q.where('campaign_id', 'in', campaignIdsByCid(this.db, companyId, filters.cid));
    if (filters.afid !== undefined) {
      q = q.where('affiliate_id', 'in', affiliateIdsByAfid(this.db, companyId, filters.afid));
    }
    const result = await fetchPage(q, page);
    return { ...result, rows: await this.views(this.db, result.rows) };
  }

  async get(companyId: number, id: number): Promise<NumberPoolView> {
    return (await this.views(this.db, [await this.find(companyId, id)]))[0];
  }

  async find(companyId: number, id: number, conn: Conn = this.db): Promise<NumberPool> {
    const row = await conn
      .selectFrom('number_pools')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFound('Number pool');
    if (row.deleted_at !== null) throw new Gone('Number pool');
    return row;
  }

  async create(companyId: number, input: NumberPoolInput): Promise<NumberPoolView> {
    if (!input.cid?.trim()) throw ValidationFailed.field('cid', "can't be blank");
    return this.db.transaction().execute(async (tx) => {
      const settings = await this.settings(
        companyId,
        input,
        { ...DEFAULTS, affiliate_id: null, campaign_id: 0 },
        tx,
      );
      const now = this.clock.now();
      const row = await tx
        .insertInto('number_pools')
        .values({
          ...settings,
          company_id: companyId,
          // Made once, so the paths a customer configured in Google Analytics stay valid.
          ga_always_path: `/callpixels/${randomUuid(this.random)}`,
          ga_connect_path: `/callpixels/${randomUuid(this.random)}`,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return (await this.views(tx, [row]))[0];
    });
  }

  async update(companyId: number, id: number, input: NumberPoolInput): Promise<NumberPoolView> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.find(companyId, id, tx);
      const settings = await this.settings(companyId, input, current, tx);
      const row = await tx
        .updateTable('number_pools')
        .set({ ...settings, updated_at: this.clock.now() })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return (await this.views(tx, [row]))[0];
    });
  }

  async remove(companyId: number, id: number): Promise<NumberPoolView> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.find(companyId, id, tx);
      const deletedAt = this.clock.now();
      await tx
        .updateTable('number_pools')
        .set({ deleted_at: deletedAt })
        .where('id', '=', current.id)
        .execute();
      return (await this.views(tx, [{ ...current, deleted_at: deletedAt }]))[0];
    });
  }

  /** The pool's settings after applying `input` to `base`, checked as a whole. */
  private async settings(
    companyId: number,
    input: NumberPoolInput,
    base: typeof DEFAULTS & Pick<NumberPool, 'affiliate_id' | 'campaign_id'>,
    conn: Conn,
  ) {
    const errors: FieldErrors = {};
    const fail = (field: string, msg: string) => {
      errors[field] = [...(errors[field] ?? []), msg];
    };
    const type =
      input.type === undefined
        ? base.type
        : NUMBER_TYPES.find((t) => t.toLowerCase() === input.type!.trim().toLowerCase());
    if (!type) fail('type', 'must be Toll-free or Local');
    const country =
      input.country === undefined
        ? base.country
        : NUMBER_COUNTRIES.find((c) => c === input.country!.trim().toUpperCase());
    if (!country) fail('country', `must be one of ${NUMBER_COUNTRIES.join(' ')}`);
    const campaignId =
      input.cid !== undefined
        ? (await this.campaigns.byCid(companyId, input.cid, conn)).id
        : base.campaign_id;
    const affiliateId =
      input.afid === undefined
        ? base.affiliate_id
        : await this.affiliateId(companyId, input.afid, conn, fail);
    const flag = (v: boolean | undefined, was: number) => (v === undefined ? was : v ? 1 : 0);
    const out = {
      type: type!,
      country: country!,
      campaign_id: campaignId,
      affiliate_id: affiliateId ?? null,
      max_pool_size: input.max_pool_size ?? base.max_pool_size,
      buffer_seconds: input.buffer_seconds ?? base.buffer_seconds,
      reserve_size: input.reserve_size ?? base.reserve_size,
      hide_embedded_access: flag(input.hide_embedded_access, base.hide_embedded_access),
      google_analytics: flag(input.google_analytics, base.google_analytics),
    };
    if (out.google_analytics && out.affiliate_id !== null) {
      fail('google_analytics', 'is incompatible with number pools that have an assigned affiliate');
    }
    if (out.reserve_size > out.max_pool_size)
      fail('reserve_size', `must be less than or equal to max_pool_size (${out.max_pool_size})`);
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
    return out;
  }

  /** Pools only take affiliates that already exist (numbers create them; pools do not, per the seed). */
  private async affiliateId(
    companyId: number,
    afid: string | null,
    conn: Conn,
    fail: (f: string, m: string) => void,
  ) {
    if (afid === null || !afid.trim()) return null;
    const row = await conn
      .selectFrom('affiliates')
      .select('id')
      .where('company_id', '=', companyId)
      .where('afid', '=', afid.trim())
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) fail('afid', 'does not match any affiliate: create the affiliate first');
    return row?.id ?? null;
  }

  private async views(conn: Conn, rows: NumberPool[]): Promise<NumberPoolView[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const [campaigns, affiliates, counts] = await Promise.all([
      conn
        .selectFrom('campaigns')
        .select(['id', 'cid'])
        .where(
          'id',
          'in',
          rows.map((r) => r.campaign_id),
        )
        .execute(),
      conn
        .selectFrom('affiliates')
        .select(['id', 'afid'])
        .where('id', 'in', [0, ...rows.map((r) => r.affiliate_id ?? 0)])
        .execute(),
      conn
        .selectFrom('numbers')
        .select(['number_pool_id', sql<number>`count(*)`.as('n')])
        .where('number_pool_id', 'in', ids)
        .where('deleted_at', 'is', null)
        .groupBy('number_pool_id')
        .execute(),
    ]);
    const cid = new Map(campaigns.map((c) => [c.id, c.cid]));
    const afid = new Map(affiliates.map((a) => [a.id, a.afid]));
    const count = new Map(counts.map((c) => [c.number_pool_id, Number(c.n)]));
    return rows.map((pool) => ({
      pool,
      cid: cid.get(pool.campaign_id)!,
      afid: pool.affiliate_id !== null ? (afid.get(pool.affiliate_id) ?? null) : null,
      numbersCount: count.get(pool.id) ?? 0,
    }));
  }
}
