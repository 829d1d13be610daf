import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { type FieldErrors, NotFound, ValidationFailed } from '../domain/errors.js';
import type { Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { ApiKeyRole, ApiKeysTable } from '../store/schema-api-keys.js';
import { generateApiKey, hashApiKey } from './accounts.js';

/** A key as its representation shows it (the plain key only exists in the create answer). */
export type ApiKey = Omit<Selectable<ApiKeysTable>, 'key_hash'>;

export interface ApiKeyInput {
  name?: string | null;
  role?: string | null;
}

export const API_KEY_ROLES: readonly ApiKeyRole[] = ['admin', 'read_only'];
const PREFIX_LENGTH = 8;
/** last_used_at is a hint for people ("is this key still in use?"), not an audit log: minute precision. */
const TOUCH_EVERY_MS = 60_000;

/** A live key found by its secret: what authentication needs. */
export interface KeyHolder {
  keyId: number;
  userId: number;
  companyId: number;
  role: ApiKeyRole;
}

/**
 * Core API keys of a company, made by its admins: named, with a role, revocable, stored hashed. Reads by
 * id never cross companies (another company's key id is a 404).
 */
export class ApiKeyService {
  private readonly touched = new Map<number, number>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(companyId: number, page: number): Promise<Page<ApiKey>> {
    const q = this.db
      .selectFrom('api_keys')
      .select(COLUMNS)
      .where('company_id', '=', companyId)
      .orderBy('id');
    return fetchPage(q, page);
  }

  async get(companyId: number, id: number): Promise<ApiKey> {
    const row = await this.db
      .selectFrom('api_keys')
      .select(COLUMNS)
      .where('company_id', '=', companyId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFound('API key');
    return row;
  }

  /** Creates a key; the plain key is returned here and never again. */
  async create(
    companyId: number,
    userId: number,
    input: ApiKeyInput,
  ): Promise<{ key: ApiKey; plain: string }> {
    const { name, role } = checkInput(input);
    const plain = generateApiKey();
    const row = await this.db
      .insertInto('api_keys')
      .values({
        company_id: companyId,
        user_id: userId,
        name,
        role,
        key_hash: hashApiKey(plain),
        key_prefix: plain.slice(0, PREFIX_LENGTH),
        created_at: this.clock.now(),
        last_used_at: null,
        revoked_at: null,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return { key: row, plain };
  }

  /** Revokes at once. Revoking a revoked key changes nothing (its first revocation time stays). */
  async revoke(companyId: number, id: number): Promise<ApiKey> {
    const current = await this.get(companyId, id);
    if (current.revoked_at !== null) return current;
    await this.db
      .updateTable('api_keys')
      .set({ revoked_at: this.clock.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    return this.get(companyId, id);
  }

  /** The live key with this secret, if any; notes its use (at most one write a minute per key). */
  async holderOf(plain: string): Promise<KeyHolder | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .select(['id', 'user_id', 'company_id', 'role'])
      .where('key_hash', '=', hashApiKey(plain))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    await this.noteUse(row.id);
    return { keyId: row.id, userId: row.user_id, companyId: row.company_id, role: row.role };
  }

  /** Notes a use of the key: last_used_at, written at most once a minute. */
  async noteUse(id: number): Promise<void> {
    const now = this.clock.now();
    const last = this.touched.get(id);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    await this.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
  }
}

const COLUMNS = [
  'id',
  'company_id',
  'user_id',
  'name',
  'role',
  'key_prefix',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const;

function checkInput(input: ApiKeyInput): { name: string; role: ApiKeyRole } {
  const errors: FieldErrors = {};
  const name = input.name?.trim() ?? '';
  if (!name) errors.name = ["can't be blank"];
  const role = (input.role ?? 'read_only') as ApiKeyRole;
  if (!API_KEY_ROLES.includes(role)) errors.role = [`must be one of: ${API_KEY_ROLES.join(', ')}`];
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  return { name, role };
}
