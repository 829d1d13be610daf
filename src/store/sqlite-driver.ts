import type SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, SqliteDialect } from 'kysely';

/**
 * Kysely's SQLite dialect with a driver fit for many concurrent calls: waiters for the single
 * connection queue in order (Kysely's own mutex wakes every waiter on each release, which grows with
 * the square of the callers), and statements are prepared once and reused.
 */
export class QueuedSqliteDialect extends SqliteDialect {
  constructor(private readonly database: SQLite.Database) {
    super({ database });
  }

  override createDriver(): Driver {
    return new QueuedSqliteDriver(this.database);
  }
}

const STATEMENT_CACHE = 500;

class QueuedSqliteDriver implements Driver {
  private readonly connection: StatementCachingConnection;
  private busy = false;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly db: SQLite.Database) {
    this.connection = new StatementCachingConnection(db);
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
    await c.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    this.db.close();
  }
}

class StatementCachingConnection implements DatabaseConnection {
  private readonly statements = new Map<string, SQLite.Statement>();

  constructor(private readonly db: SQLite.Database) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.statement(query.sql);
    const params = query.parameters as unknown[];
    if (stmt.reader) return Promise.resolve({ rows: stmt.all(params) as R[] });
    const { changes, lastInsertRowid } = stmt.run(params);
    return Promise.resolve({
      rows: [],
      numAffectedRows: BigInt(changes),
      insertId:
        lastInsertRowid === undefined || lastInsertRowid === null ? undefined : BigInt(lastInsertRowid),
    });
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
