/**
 * Times the SQL statements a Kysely instance runs, by SQL text (as count-queries.ts counts them): on
 * SQLite the driver runs a statement synchronously inside `executeQuery`, so the time is its own.
 */
import type { Kysely } from 'kysely';

export function timeQueries(db: Kysely<any>) {
  let proto = Object.getPrototypeOf(db.getExecutor());
  while (proto && !Object.hasOwn(proto, 'executeQuery')) proto = Object.getPrototypeOf(proto);
  const original = proto.executeQuery;
  const bySql = new Map<string, { n: number; us: number }>();
  proto.executeQuery = async function (this: unknown, query: { sql: string }, ...rest: unknown[]) {
    const t0 = process.hrtime.bigint();
    try {
      return await original.call(this, query, ...rest);
    } finally {
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      const e = bySql.get(query.sql) ?? { n: 0, us: 0 };
      e.n++;
      e.us += us;
      bySql.set(query.sql, e);
    }
  };
  return {
    bySql,
    stop: () => {
      proto.executeQuery = original;
    },
  };
}
