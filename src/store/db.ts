import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { startCheckpointer } from './checkpointer.js';
import { migrationProvider } from './migrations/index.js';
import type { Dialect } from './migrations/kit.js';
import { OwnSchemaPostgresDialect } from './pg-dialect.js';
import type { Database } from './schema.js';
import { QueuedSqliteDialect } from './sqlite-driver.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction: store functions accept both. */
export type Conn = Kysely<Database>;

export interface Store {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface StoreOptions {
  databaseUrl?: string;
  /** PostgreSQL schema to create and use (tests isolate themselves this way). */
  schema?: string;
  /** SQLite file; ':memory:' for a throw-away database. */
  sqliteFile?: string;
}

const require = createRequire(import.meta.url);

// bigint (int8) columns hold epoch milliseconds, well inside Number's exact range.
pg.types.setTypeParser(20, (v) => Number(v));

export async function openStore(opts: StoreOptions): Promise<Store> {
  const store = opts.databaseUrl
    ? await openPostgres(opts.databaseUrl, opts.schema)
    : openSqlite(opts.sqliteFile ?? ':memory:');
  await migrate(store, opts.databaseUrl ? opts.schema : undefined);
  return store;
}

function openSqlite(file: string): Store {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({
    dialect: new QueuedSqliteDialect(database, { groupCommit: file !== ':memory:' }),
  });
  if (file === ':memory:') return { db, dialect: 'sqlite', close: () => db.destroy() };
  // The checkpointer thread below keeps the log short; SQLite's own checkpoint (every 1,000 pages by
  // default) ran inside a COMMIT on the main thread — at 1,000 RTB pings/s several times a second,
  // each copying the log into the database and syncing it (a tenth of a ping's CPU). It stays as a
  // backstop for a log the thread could not keep up with (~40 MB).
  database.pragma('wal_autocheckpoint = 10000');
  // A worker thread checkpoints often enough that the automatic checkpoint (on the write that crosses
  // its threshold, in the request path) rarely has anything left to do.
  const checkpointer = startCheckpointer(file, require.resolve('better-sqlite3'));
  return {
    db,
    dialect: 'sqlite',
    close: async () => {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

async function openPostgres(url: string, schema: string | undefined): Promise<Store> {
  if (schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await admin.end();
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new OwnSchemaPostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

async function migrate(store: Store, schema?: string): Promise<void> {
  // Kysely looks for its own tables in every schema unless told which; tests put each app in its own.
  const migrator = new Migrator({
    db: store.db,
    provider: migrationProvider(store.dialect),
    // Work lands from parallel branches, each with its own block of migration numbers: a database that
    // already ran a later-numbered one must still take an earlier-numbered one merged after it.
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed)
    throw new Error(`migration failed: ${failed?.migrationName ?? ''} ${String(error ?? '')}`);
}

/** Drops a test schema (PostgreSQL only). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
