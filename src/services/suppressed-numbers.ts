import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { NotFound, ValidationFailed } from '../domain/errors.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { SuppressedNumbersTable } from '../store/schema.js';
import { isUniqueViolation } from '../store/unique.js';
import { callerNumber, pathNumber } from './caller-numbers.js';

export type SuppressedNumber = Selectable<SuppressedNumbersTable>;

/** A suppressed number with the cid of its campaign (null when it has none). */
export type SuppressedView = SuppressedNumber & { cid: string | null };

export interface SuppressionInput {
  can_resubscribe?: boolean;
  /** The campaign's cid (the seed sends "116dc0f6"), resolved within the company; null clears it. */
  campaign_id?: string | null;
}

/** Callers a company refuses; `can_resubscribe` lets them unblock themselves with 7 at a "Caller Blocked" prompt. */
export class SuppressedNumberService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async exists(companyId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('suppressed_numbers')
      .select('id')
      .where('company_id', '=', companyId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  list(companyId: number, page: number): Promise<Page<SuppressedView>> {
    return fetchPage(
      this.withCid(this.db)
        .where('suppressed_numbers.company_id', '=', companyId)
        .orderBy('suppressed_numbers.id'),
      page,
    );
  }

  async get(companyId: number, rawNumber: string, conn: Conn = this.db): Promise<SuppressedView> {
    const number = pathNumber('Suppressed Number', rawNumber);
    const row = await this.withCid(conn)
      .where('suppressed_numbers.company_id', '=', companyId)
      .where('suppressed_numbers.number', '=', number)
      .executeTakeFirst();
    if (!row) throw new NotFound('Suppressed Number');
    return row;
  }

  /**
   * Suppresses a number. Suppressing it again is not an error: the attributes sent are applied to the
   * existing entry (`created` false), so a retried request is harmless.
   */
  async suppress(
    companyId: number,
    rawNumber: string,
    input: SuppressionInput,
    retried = false,
  ): Promise<{ row: SuppressedView; created: boolean }> {
    const number = callerNumber('number', rawNumber);
    try {
      return await this.db.transaction().execute(async (tx) => {
        const campaignId = await this.campaignId(companyId, input.campaign_id, tx);
        const existing = await this.find(companyId, number, tx);
        if (existing) return { row: await this.write(existing.id, input, campaignId, tx), created: false };
        const now = this.clock.now();
        const inserted = await tx
          .insertInto('suppressed_numbers')
          .values({
            company_id: companyId,
            number,
            can_resubscribe: input.can_resubscribe === false ? 0 : 1,
            affiliate_id: null,
            campaign_id: campaignId ?? null,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return { row: await this.byId(inserted.id, tx), created: true };
      });
    } catch (err) {
      // Another request suppressed the same number between our check and insert: update that one instead.
      if (isUniqueViolation(err) && !retried) return this.suppress(companyId, rawNumber, input, true);
      throw err;
    }
  }

  async update(companyId: number, rawNumber: string, input: SuppressionInput): Promise<SuppressedView> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.get(companyId, rawNumber, tx);
      const campaignId = await this.campaignId(companyId, input.campaign_id, tx);
      return this.write(current.id, input, campaignId, tx);
    });
  }

  async remove(companyId: number, rawNumber: string): Promise<SuppressedView> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.get(companyId, rawNumber, tx);
      await tx.deleteFrom('suppressed_numbers').where('id', '=', current.id).execute();
      return current;
    });
  }

  private async write(
    id: number,
    input: SuppressionInput,
    campaignId: number | null | undefined,
    tx: Conn,
  ): Promise<SuppressedView> {
    await tx
      .updateTable('suppressed_numbers')
      .set({
        ...(input.can_resubscribe !== undefined ? { can_resubscribe: input.can_resubscribe ? 1 : 0 } : {}),
        ...(campaignId !== undefined ? { campaign_id: campaignId } : {}),
        updated_at: this.clock.now(),
      })
      .where('id', '=', id)
      .execute();
    return this.byId(id, tx);
  }

  /** undefined: leave as is; null: no campaign; otherwise the id of the live campaign with that cid. */
  private async campaignId(
    companyId: number,
    cid: string | null | undefined,
    conn: Conn,
  ): Promise<number | null | undefined> {
    if (cid === undefined) return undefined;
    const trimmed = cid?.trim();
    if (!trimmed) return null;
    // Campaigns are their own resource; only the (company, cid) lookup is needed here.
    const campaign = await conn
      .selectFrom('campaigns')
      .select('id')
      .where('company_id', '=', companyId)
      .where('cid', '=', trimmed)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!campaign)
      throw ValidationFailed.field('campaign_id', 'is not the cid of a campaign of this company');
    return campaign.id;
  }

  private find(companyId: number, number: string, conn: Conn) {
    return conn
      .selectFrom('suppressed_numbers')
      .select('id')
      .where('company_id', '=', companyId)
      .where('number', '=', number)
      .executeTakeFirst();
  }

  private byId(id: number, conn: Conn): Promise<SuppressedView> {
    return this.withCid(conn).where('suppressed_numbers.id', '=', id).executeTakeFirstOrThrow();
  }

  private withCid(conn: Conn) {
    return conn
      .selectFrom('suppressed_numbers')
      .leftJoin('campaigns', 'campaigns.id', 'suppressed_numbers.campaign_id')
      .selectAll('suppressed_numbers')
      .select('campaigns.cid');
  }
}
