import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { type Dialect, runMigrations } from './migrator.js';
import type { Database } from './schema.js';

// BIGINT (int8) columns hold epoch milliseconds and counters, all far below 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/** A connection to Gatehouse's store: one Kysely instance over SQLite or PostgreSQL. */
export interface Store {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  /** Where the store lives, for messages (file path or URL without password). */
  readonly location: string;
  /**
   * SQLite only: the native connection under `db`, for hot bulk writes that a cached prepared
   * statement does in half the CPU of a built query. Statements run on it join the transaction
   * that `write` opened, since it is the same connection.
   */
  readonly sqlite?: PreparedStatements;
  /** Runs `fn` in a write transaction (`BEGIN IMMEDIATE` on SQLite so writers never deadlock). */
  write<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The slice of better-sqlite3 the store exposes: prepared statements. */
export interface PreparedStatements {
  prepare(sql: string): { run(...params: unknown[]): unknown };
}

export interface OpenStoreOptions {
  /** `postgres://…` selects PostgreSQL; otherwise SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Directory for the SQLite file (created if missing). Default `./.gatehouse`. */
  dataDir?: string | undefined;
  /** Run pending migrations on open. Default true. */
  migrate?: boolean;
  /** PostgreSQL pool size. Default 10. */
  poolSize?: number;
}

/**
 * Opens (and migrates) the store.
 * @example const store = await openStore({ dataDir: './.gatehouse' });
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const url = options.databaseUrl;
  const store =
    url && /^postgres(ql)?:\/\//.test(url)
      ? openPostgres(url, options.poolSize ?? 10)
      : openSqlite(options.dataDir ?? '.gatehouse');
  if (options.migrate !== false) {
    try {
      await runMigrations(store.db as unknown as Kysely<unknown>, store.dialect);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

function openSqlite(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'gatehouse.db');
  const native = new SqliteDatabase(file);
  native.pragma('journal_mode = WAL');
  // FULL: a 201 means the row survives power loss, not only a process crash. Writes are batched.
  native.pragma('synchronous = FULL');
  native.pragma('busy_timeout = 5000');
  native.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: native }) });
  return {
    dialect: 'sqlite',
    db,
    location: file,
    sqlite: native,
    write: (fn) =>
      db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          await sql`rollback`.execute(conn);
          throw error;
        }
      }),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

function openPostgres(url: string, poolSize: number): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // Idle clients can error when the server restarts; the pool replaces them.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: 'postgres',
    db,
    location: redactUrl(url),
    write: (fn) => db.transaction().execute(fn),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

/** A database URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}
