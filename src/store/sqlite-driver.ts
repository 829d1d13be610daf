import type SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, SqliteDialect } from 'kysely';

/**
 * Kysely's SQLite dialect with a driver fit for many concurrent calls: waiters for the single
 * connection queue in order (Kysely's own mutex wakes every waiter on each release, which grows with
 * the square of the callers), statements are prepared once and reused, and writes outside a
 * transaction are committed in groups (see GroupCommit).
 */
export class QueuedSqliteDialect extends SqliteDialect {
  constructor(
    private readonly database: SQLite.Database,
    /** Off for in-memory databases, whose commits write no log. */
    private readonly opts: { groupCommit: boolean } = { groupCommit: true },
  ) {
    super({ database });
  }

  override createDriver(): Driver {
    return new QueuedSqliteDriver(this.database, this.opts.groupCommit);
  }
}

const STATEMENT_CACHE = 500;

class QueuedSqliteDriver implements Driver {
  private readonly connection: StatementCachingConnection;
  private busy = false;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly db: SQLite.Database,
    groupCommit: boolean,
  ) {
    this.connection = new StatementCachingConnection(db, groupCommit);
  }

  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve(this.connection);
    }
    return new Promise((resolve) => this.waiting.push(() => resolve(this.connection)));
  }

  async releaseConnection(): Promise<void> {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }

  async beginTransaction(c: DatabaseConnection): Promise<void> {
    this.connection.group.flush();
    this.connection.explicit = true;
    await c.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('commit'));
    this.connection.explicit = false;
  }

  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    this.connection.explicit = false;
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    this.connection.group.flush();
    this.db.close();
  }
}

/**
 * Group commit for writes outside a transaction. In WAL mode each commit appends the pages it changed
 * to the log, and a busy server's separate INSERTs and UPDATEs (an RTB ping's reservation, the ~8 writes
 * of a call set-up) each paid for their own: the first such write of an event-loop turn opens a
 * transaction, later ones of the same turn join it, and one COMMIT at the end of the turn
 * (setImmediate) covers them all. A write's promise settles after that COMMIT, so whoever waits on a
 * write still sees it durable as before. A write that fails (a unique key) is undone on its own by
 * SQLite (statement rollback) and rejects at once; reads in the meantime run inside the open
 * transaction. Only an error that ends the whole transaction (disk full, I/O) fails every write of
 * the group. An explicit transaction first commits the open group.
 */
class GroupCommit {
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private open = false;

  constructor(private readonly db: SQLite.Database) {}

  /** Runs a write inside the open group (opening one); settles when the group commits. */
  write<T>(run: () => T): Promise<T> {
    if (!this.open) {
      this.db.exec('begin');
      this.open = true;
      setImmediate(() => this.flush());
    }
    let result: T;
    try {
      result = run();
    } catch (err) {
      // SQLite undid the statement; an error that also ended the transaction ends the group.
      if (!this.db.inTransaction) this.fail(err);
      return Promise.reject(err);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiters.push({ resolve: () => resolve(result), reject });
    });
  }

  /** Commits the open group now (the turn ended, or an explicit transaction begins). */
  flush(): void {
    if (!this.open) return;
    const waiters = this.waiters;
    this.waiters = [];
    this.open = false;
    try {
      this.db.exec('commit');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('rollback');
      for (const w of waiters) w.reject(err);
      return;
    }
    for (const w of waiters) w.resolve();
  }

  private fail(err: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    this.open = false;
    for (const w of waiters) w.reject(err);
  }
}

class StatementCachingConnection implements DatabaseConnection {
  private readonly statements = new Map<string, SQLite.Statement>();
  readonly group: GroupCommit;
  /** Inside a transaction Kysely opened: statements run as they come. */
  explicit = false;

  constructor(
    private readonly db: SQLite.Database,
    private readonly groupCommit: boolean,
  ) {
    this.group = new GroupCommit(db);
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.statement(query.sql);
    const params = query.parameters as unknown[];
    if (!this.groupCommit || this.explicit || stmt.readonly) {
      try {
        return Promise.resolve(this.run<R>(stmt, params));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.group.write(() => this.run<R>(stmt, params));
  }

  private run<R>(stmt: SQLite.Statement, params: unknown[]): QueryResult<R> {
    if (stmt.reader) return { rows: stmt.all(params) as R[] };
    const { changes, lastInsertRowid } = stmt.run(params);
    return {
      rows: [],
      numAffectedRows: BigInt(changes),
      insertId:
        lastInsertRowid === undefined || lastInsertRowid === null ? undefined : BigInt(lastInsertRowid),
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is not used by Switchboard
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported');
  }

  private statement(sql: string): SQLite.Statement {
    let stmt = this.statements.get(sql);
    if (stmt) {
      // Re-insert so the map's order is least recently used first.
      this.statements.delete(sql);
    } else {
      stmt = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE)
        this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, stmt);
    return stmt;
  }
}
