import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { Gone, NotFound, RuleViolation, ValidationFailed } from '../domain/errors.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage } from '../store/paging.js';
import type { AffiliatesTable } from '../store/schema.js';

export type Affiliate = Selectable<AffiliatesTable>;

export type AffiliateRef = number | string;

export interface AffiliateInput {
  afid?: string;
  first_name?: string | null;
  last_name?: string | null;
  company_name?: string | null;
}

/** Publishers (the seed's "affiliates"), addressed by the customer's own `afid`. */
export class AffiliateService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  list(companyId: number, page: number) {
    const q = this.db
      .selectFrom('affiliates')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .orderBy('id');
    return fetchPage(q, page);
  }

  /** By internal id (number) or by the customer's afid (string). */
  async get(companyId: number, ref: AffiliateRef, conn: Conn = this.db): Promise<Affiliate> {
    const rows = await conn
      .selectFrom('affiliates')
      .selectAll()
      .where('company_id', '=', companyId)
      .where(typeof ref === 'number' ? 'id' : 'afid', '=', ref)
      .execute();
    const live = rows.find((r) => r.deleted_at === null);
    if (live) return live;
    if (rows.length) throw new Gone('Affiliate');
    throw new NotFound('Affiliate');
  }

  /** The affiliate with this afid, created on the spot when missing (numbers do this, per the seed). */
  async findOrCreate(companyId: number, afid: string, conn: Conn): Promise<Affiliate> {
    const existing = await conn
      .selectFrom('affiliates')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('afid', '=', afid)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return existing ?? this.insert(companyId, { afid }, conn);
  }

  async create(companyId: number, input: AffiliateInput): Promise<Affiliate> {
    if (!input.afid?.trim()) throw ValidationFailed.field('afid', "can't be blank");
    return this.db.transaction().execute(async (tx) => {
      await this.assertAfidFree(companyId, input.afid!.trim(), tx);
      return this.insert(companyId, input, tx);
    });
  }

  async update(companyId: number, ref: AffiliateRef, input: AffiliateInput): Promise<Affiliate> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.get(companyId, ref, tx);
      const next = input.afid?.trim();
      if (input.afid !== undefined && !next) throw ValidationFailed.field('afid', "can't be blank");
      if (next && next !== current.afid) await this.assertAfidFree(companyId, next, tx);
      return tx
        .updateTable('affiliates')
        .set({
          ...(next ? { afid: next } : {}),
          ...pick(input, ['first_name', 'last_name', 'company_name']),
          updated_at: this.clock.now(),
        })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  async remove(companyId: number, ref: AffiliateRef): Promise<Affiliate> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.get(companyId, ref, tx);
      const number = await tx
        .selectFrom('numbers')
        .select('id')
        .where('affiliate_id', '=', current.id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (number)
        throw new RuleViolation(
          'Affiliate still has Numbers: delete its Numbers before deleting the Affiliate',
        );
      const deletedAt = this.clock.now();
      await tx
        .updateTable('affiliates')
        .set({ deleted_at: deletedAt })
        .where('id', '=', current.id)
        .execute();
      return { ...current, deleted_at: deletedAt };
    });
  }

  private async assertAfidFree(companyId: number, afid: string, conn: Conn): Promise<void> {
    const taken = await conn
      .selectFrom('affiliates')
      .select('id')
      .where('company_id', '=', companyId)
      .where('afid', '=', afid)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (taken) throw ValidationFailed.field('afid', 'has already been taken');
  }

  private insert(companyId: number, input: AffiliateInput, conn: Conn): Promise<Affiliate> {
    const now = this.clock.now();
    return conn
      .insertInto('affiliates')
      .values({
        company_id: companyId,
        afid: input.afid!.trim(),
        first_name: input.first_name ?? null,
        last_name: input.last_name ?? null,
        company_name: input.company_name ?? null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}

/** The given keys of `input` that were actually sent (undefined means "leave as is"). */
export function pick<T extends object, K extends keyof T>(input: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (input[k] !== undefined) out[k] = input[k];
  return out;
}
