import { type Kysely, sql } from 'kysely';
import { migrations } from './migrations/index.js';

export type Dialect = 'sqlite' | 'postgres';

/** A versioned schema change. Migrations run in name order, each in its own transaction. */
export interface Migration {
  name: string;
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

/**
 * Applies pending migrations. Safe with several processes starting at once: on PostgreSQL an
 * advisory lock serializes them; on SQLite `BEGIN IMMEDIATE` does.
 */
export async function runMigrations(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  await sql`create table if not exists gatehouse_migrations (name text primary key, applied_at bigint not null)`.execute(
    db,
  );
  const applied: string[] = [];
  for (const migration of migrations) {
    const ran = await db.connection().execute(async (conn) => {
      await sql.raw(dialect === 'postgres' ? 'begin' : 'begin immediate').execute(conn);
      try {
        if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(72431)`.execute(conn);
        const done = await sql<{
          name: string;
        }>`select name from gatehouse_migrations where name = ${migration.name}`.execute(conn);
        if (done.rows.length > 0) {
          await sql`commit`.execute(conn);
          return false;
        }
        await migration.up(conn, dialect);
        await sql`insert into gatehouse_migrations (name, applied_at) values (${migration.name}, ${Date.now()})`.execute(
          conn,
        );
        await sql`commit`.execute(conn);
        return true;
      } catch (error) {
        await sql`rollback`.execute(conn);
        throw error;
      }
    });
    if (ran) applied.push(migration.name);
  }
  return applied;
}
