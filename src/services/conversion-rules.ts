import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import type { ConversionRule } from '../domain/conversions.js';
import { type FieldErrors, NotFound, ValidationFailed } from '../domain/errors.js';
import { fromCents, hasAtMostTwoDecimals, toCents } from '../domain/money.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { ConversionRulesTable } from '../store/schema-conversions.js';
import type { CampaignRef, CampaignService } from './campaigns.js';

export type ConversionRuleRow = Selectable<ConversionRulesTable>;

/** A rule as the API shows it: the row plus its affiliate's afid (null for "any affiliate"). */
export interface ConversionRuleView extends ConversionRuleRow {
  afid: string | null;
}

export interface ConversionRuleInput {
  seconds?: number;
  revenue?: number;
  payout?: number;
  /** The customer's affiliate id; null or blank: any affiliate. */
  afid?: string | null;
  /** Our target id; null: any target. */
  target_id?: number | null;
}

/** Conversion rules of a campaign (src/domain/conversions.ts decides with them). Deletes are hard. */
export class ConversionRuleService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly campaigns: CampaignService,
  ) {}

  async list(companyId: number, campaign: CampaignRef, page: number): Promise<Page<ConversionRuleView>> {
    const { id } = await this.campaigns.find(companyId, campaign);
    return fetchPage(this.views(this.db).where('r.campaign_id', '=', id).orderBy('r.id'), page);
  }

  async get(
    companyId: number,
    campaign: CampaignRef,
    ruleId: number,
    conn: Conn = this.db,
  ): Promise<ConversionRuleView> {
    const { id } = await this.campaigns.find(companyId, campaign, conn);
    const row = await this.views(conn)
      .where('r.campaign_id', '=', id)
      .where('r.id', '=', ruleId)
      .executeTakeFirst();
    if (!row) throw new NotFound('Conversion rule');
    return row;
  }

  async create(
    companyId: number,
    campaign: CampaignRef,
    input: ConversionRuleInput,
  ): Promise<ConversionRuleView> {
    return this.db.transaction().execute(async (tx) => {
      const { id: campaignId } = await this.campaigns.find(companyId, campaign, tx);
      const cols = await this.columns(companyId, input, true, tx);
      const now = this.clock.now();
      const { id } = await tx
        .insertInto('conversion_rules')
        .values({
          company_id: companyId,
          campaign_id: campaignId,
          seconds: cols.seconds!,
          revenue_cents: cols.revenue_cents ?? 0,
          payout_cents: cols.payout_cents ?? 0,
          affiliate_id: cols.affiliate_id ?? null,
          target_id: cols.target_id ?? null,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return this.get(companyId, campaignId, id, tx);
    });
  }

  /** Changes only the attributes sent; `afid: null` / `target_id: null` widen the rule to any. */
  async update(
    companyId: number,
    campaign: CampaignRef,
    ruleId: number,
    input: ConversionRuleInput,
  ): Promise<ConversionRuleView> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.get(companyId, campaign, ruleId, tx);
      const cols = await this.columns(companyId, input, false, tx);
      await tx
        .updateTable('conversion_rules')
        .set({ ...cols, updated_at: this.clock.now() })
        .where('id', '=', current.id)
        .execute();
      return this.get(companyId, current.campaign_id, current.id, tx);
    });
  }

  async remove(companyId: number, campaign: CampaignRef, ruleId: number): Promise<ConversionRuleView> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.get(companyId, campaign, ruleId, tx);
      await tx.deleteFrom('conversion_rules').where('id', '=', current.id).execute();
      return current;
    });
  }

  /** A campaign's rules in the domain's shape (dollars, internal ids), for the call engine. */
  async forCampaign(campaignId: number, conn: Conn = this.db): Promise<ConversionRule[]> {
    const rows = await conn
      .selectFrom('conversion_rules')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .orderBy('id')
      .execute();
    return rows.map(toDomain);
  }

  private views(conn: Conn) {
    return conn
      .selectFrom('conversion_rules as r')
      .leftJoin('affiliates as a', 'a.id', 'r.affiliate_id')
      .selectAll('r')
      .select('a.afid');
  }

  /** Validates the attributes sent and turns them into columns; every bad field is reported at once. */
  private async columns(companyId: number, input: ConversionRuleInput, creating: boolean, conn: Conn) {
    const errors: FieldErrors = {};
    const fail = (field: string, message: string) => {
      errors[field] = [...(errors[field] ?? []), message];
    };
    const cols: Partial<
      Pick<ConversionRuleRow, 'seconds' | 'revenue_cents' | 'payout_cents' | 'affiliate_id' | 'target_id'>
    > = {};
    if (input.seconds !== undefined) cols.seconds = input.seconds;
    else if (creating) fail('seconds', "can't be blank");
    for (const field of ['revenue', 'payout'] as const) {
      const amount = input[field];
      if (amount === undefined) continue;
      if (hasAtMostTwoDecimals(amount)) cols[`${field}_cents`] = toCents(amount);
      else fail(field, 'must have at most 2 decimal places');
    }
    if (input.afid !== undefined) {
      const afid = input.afid?.trim() || null;
      cols.affiliate_id = afid === null ? null : await this.affiliateId(companyId, afid, conn);
      if (cols.affiliate_id === undefined) fail('afid', 'does not match any affiliate');
    }
    if (input.target_id !== undefined) {
      cols.target_id =
        input.target_id === null ? null : await this.targetId(companyId, input.target_id, conn);
      if (cols.target_id === undefined) fail('target_id', 'does not match any target');
    }
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
    return cols;
  }

  private async affiliateId(companyId: number, afid: string, conn: Conn): Promise<number | undefined> {
    const row = await conn
      .selectFrom('affiliates')
      .select('id')
      .where('company_id', '=', companyId)
      .where('afid', '=', afid)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row?.id;
  }

  private async targetId(companyId: number, id: number, conn: Conn): Promise<number | undefined> {
    const row = await conn
      .selectFrom('targets')
      .select('id')
      .where('company_id', '=', companyId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row?.id;
  }
}

export function toDomain(row: ConversionRuleRow): ConversionRule {
  return {
    id: row.id,
    seconds: row.seconds,
    revenue: fromCents(row.revenue_cents),
    payout: fromCents(row.payout_cents),
    affiliate_id: row.affiliate_id,
    target_id: row.target_id,
  };
}
