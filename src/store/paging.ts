import { type SelectQueryBuilder, sql } from 'kysely';
import { ValidationFailed } from '../domain/errors.js';

export const PER_PAGE = 25;

export interface Page<T> {
  rows: T[];
  page: number;
  lastPage: number;
  total: number;
}

/** Runs one page of an ordered query plus its total count. */
export async function fetchPage<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: number,
  perPage = PER_PAGE,
): Promise<Page<O>> {
  // The faces validate `page`; this is the last line before SQL, where Infinity or 1.5 would be a 500.
  if (!Number.isSafeInteger(page) || page < 1 || (page - 1) * perPage > Number.MAX_SAFE_INTEGER) {
    throw ValidationFailed.field('page', 'must be a positive integer');
  }
  const countRow = await query
    .clearSelect()
    .clearOrderBy()
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirst();
  const total = Number((countRow as { n: number } | undefined)?.n ?? 0);
  const rows = await query
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { rows, page, total, lastPage: Math.max(1, Math.ceil(total / perPage)) };
}
