import type { Generated } from 'kysely';

export type ApiKeyRole = 'admin' | 'read_only';

/**
 * Core API keys a company's admins made (`/api_keys.json`). Only the sha256 of a key is kept;
 * `key_prefix` (its first 8 characters) lets people tell keys apart. The key printed at first start is
 * the first user's own (`users.api_key_hash`) and is not a row here.
 */
export interface ApiKeysTable {
  id: Generated<number>;
  company_id: number;
  /** The user whose key created this one (its requests count as that user's). */
  user_id: number;
  name: string;
  role: ApiKeyRole;
  key_hash: string;
  key_prefix: string;
  created_at: number;
  /** Written at most once a minute per key, so reads do not each cost a write. */
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ApiKeyTables {
  api_keys: ApiKeysTable;
}
