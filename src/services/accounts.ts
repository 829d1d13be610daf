import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import { Forbidden, Unauthenticated } from '../domain/errors.js';
import type { Db } from '../store/db.js';
import { ACCOUNTS_SCOPE } from '../store/migrations/0072_account_changes.js';
import { Prepared } from '../store/prepared.js';
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

/** Keys made through `/api_keys.json` (the ApiKeyService): finds one by its secret, notes its use. */
export interface KeyLookup {
  holderOf(apiKey: string): Promise<KeyHolder | undefined>;
  /** A cached key was used again (its last_used_at, at most one write a minute). */
  noteUse(keyId: number): Promise<void>;
}

const NO_KEYS: KeyLookup = { holderOf: async () => undefined, noteUse: async () => {} };

/** Keys remembered at most; past this the oldest are forgotten (a client cycling keys costs lookups, not memory). */
const CACHED_KEYS = 10_000;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): string {
  return randomBytes(24).toString('hex');
}

/** Core API users, their keys and which companies they reach. Keys are stored hashed. */
export class AccountService {
  /**
   * Principals by key hash, each valid as of the accounts version it was read at. Every request
   * authenticates, and the two lookups (key, then memberships) cost more than many a handler; the version
   * (one index probe) moves with any change to users, memberships, companies or keys, by any process
   * (migration 0072), so a revoked key or a removed membership counts from the next request on.
   * Unknown keys are not remembered.
   */
  private readonly cache = new Map<string, { principal: Principal; version: number | null }>();
  private readonly version: Prepared<Record<string, never>, { v: number | string | null }>;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keys: KeyLookup = NO_KEYS,
  ) {
    this.version = new Prepared(
      db,
      () =>
        sql<{
          v: number | string | null;
        }>`SELECT max(id) AS v FROM config_changes WHERE company_id = ${sql.lit(ACCOUNTS_SCOPE)}`,
    );
  }

  /** The principal a key stands for. The object is shared between requests: read it, never change it. */
  async authenticate(apiKey: string | undefined): Promise<Principal> {
    if (!apiKey) throw new Unauthenticated('Unauthorized: api_key is missing');
    const hash = hashApiKey(apiKey);
    // Read before the lookups: a change landing meanwhile leaves this entry stale at an old version.
    const row = await this.version.first({});
    const version = row?.v === null || row?.v === undefined ? null : Number(row.v);
    const cached = this.cache.get(hash);
    if (cached && cached.version === version) {
      if (cached.principal.keyId !== null) await this.keys.noteUse(cached.principal.keyId);
      return cached.principal;
    }
    const principal = await this.lookup(hash, apiKey);
    this.cache.delete(hash);
    if (this.cache.size >= CACHED_KEYS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(hash, { principal, version });
    return principal;
  }

  private async lookup(hash: string, apiKey: string): Promise<Principal> {
    const user = await this.db
      .selectFrom('users')
      .select(['id', 'active_company_id'])
      .where('api_key_hash', '=', hash)
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
    const holder = await this.keys.holderOf(apiKey);
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
