import { ValidationFailed } from '../domain/errors.js';

/**
 * A unique index refused a row (two requests raced past a service's up-front check). Exactly that:
 * PostgreSQL's SQLSTATE 23505 and SQLite's extended codes for UNIQUE and PRIMARY KEY — not foreign-key,
 * NOT NULL or CHECK failures, which are bugs and must stay loud.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * The column a client chose that collided (`afid`, `cid`, `tid`, `number`…), read from the engine's
 * message: PostgreSQL's detail `Key (company_id, afid)=(1, x) already exists.`, SQLite's
 * `UNIQUE constraint failed: affiliates.company_id, affiliates.afid`. The tenant column is ours, not theirs.
 */
export function uniqueViolationField(err: unknown): string {
  const e = err as { detail?: unknown; message?: unknown };
  const pg = typeof e.detail === 'string' ? /^Key \(([^)]*)\)=/.exec(e.detail)?.[1] : undefined;
  const sqlite = typeof e.message === 'string' ? /constraint failed: (.*)$/.exec(e.message)?.[1] : undefined;
  const columns = (pg ?? sqlite ?? '')
    .split(',')
    .map((c) => c.trim().split('.').pop() ?? '')
    .filter((c) => c && c !== 'company_id');
  const column = columns[columns.length - 1];
  return column === undefined ? 'base' : (CLIENT_NAMES[column] ?? column);
}

/** Columns stored under another name than the field a client sent. */
const CLIENT_NAMES: Record<string, string> = { email_key: 'email', api_key_hash: 'api_key', key_hash: 'key' };

/** The same 400 the services' up-front checks give, for a request that lost the race to the index. */
export function takenError(err: unknown): ValidationFailed {
  return ValidationFailed.field(uniqueViolationField(err), 'has already been taken');
}
