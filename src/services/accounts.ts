import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { Forbidden, Unauthenticated } from '../domain/errors.js';
import type { Db } from '../store/db.js';
import type { ApiKeyRole } from '../store/schema-api-keys.js';
import type { KeyHolder } from './api-keys.js';

export interface Principal {
  userId: number;
  activeCompanyId: number | null;
  companyIds: number[];
  /** `read_only` keys may only read (403 on writes in every face that takes Core API keys). */
  role: ApiKeyRole;
  /** Set for a key made through `/api_keys.json` (it reaches its one company); null for a user's own key. */
  keyId: number | null;
}

/** Finds a key made through `/api_keys.json` by its secret (the ApiKeyService). */
export type KeyLookup = (apiKey: string) => Promise<KeyHolder | undefined>;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): string {
  return randomBytes(24).toString('hex');
}

/** Core API users, their keys and which companies they reach. Keys are stored hashed. */
export class AccountService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keyHolder: KeyLookup = async () => undefined,
  ) {}

  async authenticate(apiKey: string | undefined): Promise<Principal> {
    if (!apiKey) throw new Unauthenticated('Unauthorized: api_key is missing');
    const user = await this.db
      .selectFrom('users')
      .select(['id', 'active_company_id'])
      .where('api_key_hash', '=', hashApiKey(apiKey))
      .executeTakeFirst();
    if (!user) return this.authenticateKey(apiKey);
    const memberships = await this.db
      .selectFrom('memberships')
      .innerJoin('companies', 'companies.id', 'memberships.company_id')
      .select('memberships.company_id')
      .where('memberships.user_id', '=', user.id)
      .where('companies.deleted_at', 'is', null)
      .orderBy('memberships.company_id')
      .execute();
    return {
      userId: user.id,
      activeCompanyId: user.active_company_id,
      companyIds: memberships.map((m) => m.company_id),
      role: 'admin',
      keyId: null,
    };
  }

  /** A key made through `/api_keys.json`: it reaches its own company while that company lives. */
  private async authenticateKey(apiKey: string): Promise<Principal> {
    const holder = await this.keyHolder(apiKey);
    if (!holder) throw new Unauthenticated('Unauthorized: api_key is wrong');
    const company = await this.db
      .selectFrom('companies')
      .select('id')
      .where('id', '=', holder.companyId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return {
      userId: holder.userId,
      activeCompanyId: holder.companyId,
      companyIds: company ? [company.id] : [],
      role: holder.role,
      keyId: holder.keyId,
    };
  }

  /** The company a request acts on: `company_id` if given and reachable, else the key's active company. */
  resolveCompany(principal: Principal, companyIdParam: string | undefined): number {
    if (companyIdParam !== undefined && companyIdParam !== '') {
      const id = Number(companyIdParam);
      if (!Number.isInteger(id) || !principal.companyIds.includes(id)) {
        throw new Forbidden('Forbidden: this API key cannot reach that company_id');
      }
      return id;
    }
    const active = principal.activeCompanyId;
    if (active !== null && principal.companyIds.includes(active)) return active;
    if (principal.companyIds.length > 0) return principal.companyIds[0];
    throw new Forbidden('Forbidden: pass the company_id of a company this API key can reach');
  }

  /** Creates a user with a key reaching the given companies; returns the key (shown once). */
  async createUser(
    name: string,
    companyIds: number[],
    apiKey = generateApiKey(),
  ): Promise<{ userId: number; apiKey: string }> {
    const now = this.clock.now();
    const userId = await this.db.transaction().execute(async (tx) => {
      const user = await tx
        .insertInto('users')
        .values({
          name,
          api_key_hash: hashApiKey(apiKey),
          active_company_id: companyIds[0] ?? null,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const companyId of companyIds) {
        await tx.insertInto('memberships').values({ user_id: user.id, company_id: companyId }).execute();
      }
      return user.id;
    });
    return { userId, apiKey };
  }

  /**
   * First start: creates the first company and its first user. The key is SWITCHBOARD_API_KEY when set
   * (so scripts know it), otherwise generated and returned so the caller can print it once.
   */
  async bootstrap(
    configuredKey: string | undefined,
  ): Promise<{ apiKey: string; generated: boolean } | undefined> {
    const existing = await this.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (existing) return undefined;
    const now = this.clock.now();
    const company = await this.db
      .insertInto('companies')
      .values({
        name: 'Switchboard',
        default_click_url: null,
        default_sale_url: null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { apiKey } = await this.createUser('admin', [company.id], configuredKey ?? generateApiKey());
    return { apiKey, generated: !configuredKey };
  }
}
