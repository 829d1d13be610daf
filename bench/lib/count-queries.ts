/**
 * Counts the SQL statements a Kysely instance runs (every executor it or its transactions make shares
 * one prototype, so patching it sees them all): a load-independent measure of a request's work.
 */
import type { Kysely } from 'kysely';

export interface QueryCounter {
  /** Statements since the last reset, by SQL text (parameters left out). */
  readonly bySql: Map<string, number>;
  total(): number;
  reset(): void;
  stop(): void;
}

export function countQueries(db: Kysely<any>): QueryCounter {
  let proto = Object.getPrototypeOf(db.getExecutor());
  while (proto && !Object.hasOwn(proto, 'executeQuery')) proto = Object.getPrototypeOf(proto);
  const original = proto.executeQuery;
  const bySql = new Map<string, number>();
  proto.executeQuery = function (this: unknown, query: { sql: string }, ...rest: unknown[]) {
    bySql.set(query.sql, (bySql.get(query.sql) ?? 0) + 1);
    return original.call(this, query, ...rest);
  };
  return {
    bySql,
    total: () => [...bySql.values()].reduce((a, b) => a + b, 0),
    reset: () => bySql.clear(),
    stop: () => {
      proto.executeQuery = original;
    },
  };
}
