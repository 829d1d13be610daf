import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { NotFound, Unauthenticated } from '../domain/errors.js';
import type { Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { CcaiKeysTable } from '../store/schema-ccai.js';
import { hashApiKey } from './accounts.js';

export type CcaiKey = Selectable<CcaiKeysTable>;

/**
 * The CCAI face's credentials: a company key (the Basic user name) and a secret (the password), made
 * with a Core API key. The secret is shown once and kept as a sha256 (it is 192 random bits, so a slow
 * hash adds nothing); a revoked key answers 401 from the next request on.
 */
export class CcaiKeyService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(companyId: number, page: number): Promise<Page<CcaiKey>> {
    const q = this.db.selectFrom('ccai_keys').selectAll().where('company_id', '=', companyId).orderBy('id');
    return fetchPage(q, page);
  }

  async get(companyId: number, id: number): Promise<CcaiKey> {
    const row = await this.db
      .selectFrom('ccai_keys')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFound('CCAI key');
    return row;
  }

  /** A new key; the answer is the only time its secret exists in the clear. */
  async create(companyId: number): Promise<{ key: CcaiKey; secret: string }> {
    const secret = randomBytes(24).toString('hex');
    const key = await this.db
      .insertInto('ccai_keys')
      .values({
        company_id: companyId,
        key: `ccai_${randomBytes(12).toString('hex')}`,
        secret_hash: hashApiKey(secret),
        created_at: this.clock.now(),
        revoked_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { key, secret };
  }

  /** Revokes at once; revoking again keeps the first revocation time. */
  async revoke(companyId: number, id: number): Promise<CcaiKey> {
    const current = await this.get(companyId, id);
    if (current.revoked_at !== null) return current;
    await this.db
      .updateTable('ccai_keys')
      .set({ revoked_at: this.clock.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    return this.get(companyId, id);
  }

  /** The company a live key and its secret reach; 401 for anything else. */
  async authenticate(
    key: string | undefined,
    secret: string | undefined,
  ): Promise<{ companyId: number; keyId: number }> {
    if (!key || !secret) throw new Unauthenticated('Unauthorized');
    const row = await this.db
      .selectFrom('ccai_keys')
      .select(['id', 'company_id', 'secret_hash'])
      .where('key', '=', key)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row || !sameHash(row.secret_hash, hashApiKey(secret))) throw new Unauthenticated('Unauthorized');
    return { companyId: row.company_id, keyId: row.id };
  }
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
