import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { type Generated, Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueuedSqliteDialect } from '../../src/store/sqlite-driver.js';

interface Db {
  t: { id: Generated<number>; v: string };
}

let dir: string;
let file: string;
let db: Kysely<Db>;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sb-group-'));
  file = path.join(dir, 'g.sqlite');
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  db = new Kysely<Db>({ dialect: new QueuedSqliteDialect(database, { groupCommit: true }) });
  await sql`create table t (id integer primary key, v text not null unique)`.execute(db);
});
afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** What another connection (another process) sees: committed rows only. */
function committed(): string[] {
  const other = new SQLite(file, { readonly: true });
  try {
    return (other.prepare('select v from t order by id').all() as { v: string }[]).map((r) => r.v);
  } finally {
    other.close();
  }
}

describe('SQLite group commit (writes outside a transaction, file databases)', () => {
  it('writes of one turn commit together; each settles only once committed', async () => {
    const writes = ['a', 'b', 'c'].map((v) => db.insertInto('t').values({ v }).execute());
    // Issued, not yet committed: another connection sees nothing, this one sees them.
    expect(committed()).toEqual([]);
    expect((await db.selectFrom('t').select('v').orderBy('id').execute()).map((r) => r.v)).toEqual([
      'a',
      'b',
      'c',
    ]);
    await Promise.all(writes);
    expect(committed()).toEqual(['a', 'b', 'c']);
  });

  it('a failing write rejects alone; the others of its group commit', async () => {
    await db.insertInto('t').values({ v: 'x' }).execute();
    const results = await Promise.allSettled([
      db.insertInto('t').values({ v: 'y' }).execute(),
      db.insertInto('t').values({ v: 'x' }).execute(),
      db.insertInto('t').values({ v: 'z' }).returningAll().execute(),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(committed()).toEqual(['x', 'y', 'z']);
  });

  it('an explicit transaction commits the open group first, and its rollback undoes only itself', async () => {
    const before = db.insertInto('t').values({ v: 'p' }).execute();
    await expect(
      db.transaction().execute(async (tx) => {
        await tx.insertInto('t').values({ v: 'q' }).execute();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await before;
    await db.insertInto('t').values({ v: 'r' }).execute();
    expect(committed()).toEqual(['p', 'r']);
  });
});
