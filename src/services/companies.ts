import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { Forbidden, Gone, NotFound, RuleViolation, ValidationFailed } from '../domain/errors.js';
import { toZoneName } from '../domain/timezones.js';
import { isHttpUrl } from '../domain/urls.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage } from '../store/paging.js';
import type { CompaniesTable } from '../store/schema.js';
import type { Principal } from './accounts.js';

export type Company = Selectable<CompaniesTable>;

export interface CompanyInput {
  name?: string;
  default_click_url?: string | null;
  default_sale_url?: string | null;
  /** Seed zone name or the IANA zone it stands for; reports cut days in it. */
  time_zone?: string;
}

/**
 * Tenants. Unlike every other resource, companies are reached through the API key's memberships (the
 * principal), not through the request's active company: one key may manage several companies.
 */
export class CompanyService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  list(principal: Principal, page: number) {
    const q = this.db
      .selectFrom('companies')
      .selectAll()
      .where('id', 'in', principal.companyIds.length ? principal.companyIds : [0])
      .where('deleted_at', 'is', null)
      .orderBy('id');
    return fetchPage(q, page);
  }

  /** A company the key reaches; 410 when the key's membership points at a deleted one; 404 otherwise. */
  async get(principal: Principal, id: number, conn: Conn = this.db): Promise<Company> {
    const row = await conn
      .selectFrom('companies')
      .innerJoin('memberships', 'memberships.company_id', 'companies.id')
      .selectAll('companies')
      .where('memberships.user_id', '=', principal.userId)
      .where('companies.id', '=', id)
      .executeTakeFirst();
    // A key made through /api_keys reaches its own company only, not every company of its creator.
    if (!row || (principal.keyId !== null && !principal.companyIds.includes(id)))
      throw new NotFound('Company');
    if (row.deleted_at !== null) throw new Gone('Company');
    return row;
  }

  /** Creates the company and gives the calling user access to it, in one transaction. */
  async create(principal: Principal, input: CompanyInput): Promise<Company> {
    if (principal.keyId !== null)
      throw new Forbidden(
        "Forbidden: this API key belongs to one company; create companies with the account's own key",
      );
    const values = validate(input, true);
    return this.db.transaction().execute(async (tx) => {
      const now = this.clock.now();
      const company = await tx
        .insertInto('companies')
        .values({
          name: values.name!,
          default_click_url: values.default_click_url ?? null,
          default_sale_url: values.default_sale_url ?? null,
          ...(values.time_zone ? { time_zone: values.time_zone } : {}),
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('memberships')
        .values({ user_id: principal.userId, company_id: company.id })
        .execute();
      // A key whose active company is gone adopts the one it just created.
      await tx
        .updateTable('users')
        .set({ active_company_id: company.id })
        .where('id', '=', principal.userId)
        .where('active_company_id', 'is', null)
        .execute();
      return company;
    });
  }

  async update(principal: Principal, id: number, input: CompanyInput): Promise<Company> {
    const values = validate(input, false);
    return this.db.transaction().execute(async (tx) => {
      const current = await this.get(principal, id, tx);
      return tx
        .updateTable('companies')
        .set({ ...values, updated_at: this.clock.now() })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  /**
   * Soft-deletes a company once it has no live numbers or number pools (the seed's rule). The key's last
   * company cannot go: the key would then reach nothing, not even POST /companies.
   */
  async remove(principal: Principal, id: number): Promise<Company> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.get(principal, id, tx);
      await this.assertDeletable(principal, current.id, tx);
      const deletedAt = this.clock.now();
      await tx.updateTable('companies').set({ deleted_at: deletedAt }).where('id', '=', current.id).execute();
      await this.moveActiveCompanies(current.id, tx);
      return { ...current, deleted_at: deletedAt };
    });
  }

  private async assertDeletable(principal: Principal, companyId: number, tx: Conn): Promise<void> {
    const live = async (table: 'numbers' | 'number_pools') =>
      tx
        .selectFrom(table)
        .select('id')
        .where('company_id', '=', companyId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    if (await live('numbers')) {
      throw new RuleViolation(
        'Company still has Numbers: delete its Numbers and Number Pools before deleting the Company',
      );
    }
    if (await live('number_pools')) {
      throw new RuleViolation(
        'Company still has Number Pools: delete its Numbers and Number Pools before deleting the Company',
      );
    }
    if (principal.companyIds.every((c) => c === companyId)) {
      throw new RuleViolation(
        'Company is the only one this API key reaches: create another Company before deleting this one',
      );
    }
  }

  /** Users whose active company was deleted move to their oldest remaining company (or none). */
  private async moveActiveCompanies(companyId: number, tx: Conn): Promise<void> {
    const users = await tx
      .selectFrom('users')
      .select('id')
      .where('active_company_id', '=', companyId)
      .execute();
    for (const user of users) {
      const next = await tx
        .selectFrom('memberships')
        .innerJoin('companies', 'companies.id', 'memberships.company_id')
        .select('companies.id')
        .where('memberships.user_id', '=', user.id)
        .where('companies.deleted_at', 'is', null)
        .orderBy('companies.id')
        .executeTakeFirst();
      await tx
        .updateTable('users')
        .set({ active_company_id: next?.id ?? null })
        .where('id', '=', user.id)
        .execute();
    }
  }
}

/** Trims and checks the attributes that were sent; blank URLs mean "none". */
function validate(input: CompanyInput, creating: boolean): CompanyInput {
  const out: CompanyInput = {};
  const errors: Record<string, string[]> = {};
  if (input.name !== undefined || creating) {
    const name = input.name?.trim();
    if (!name) errors.name = ["can't be blank"];
    else out.name = name;
  }
  for (const field of ['default_click_url', 'default_sale_url'] as const) {
    const raw = input[field];
    if (raw === undefined) continue;
    const url = raw?.trim() || null;
    if (url !== null && !isHttpUrl(url)) errors[field] = ['must be an http or https URL'];
    else out[field] = url;
  }
  if (input.time_zone !== undefined) {
    try {
      out.time_zone = toZoneName(String(input.time_zone ?? '').trim());
    } catch (err) {
      if (!(err instanceof ValidationFailed)) throw err;
      Object.assign(errors, err.errors);
    }
  }
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  return out;
}
