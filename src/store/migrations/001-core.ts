import { type Kysely, sql } from 'kysely';
import type { Migration } from '../migrator.js';

/** APIs, tokens, the change feed and a key/value meta table. */
export const migration001Core: Migration = {
  name: '001-core',
  async up(db: Kysely<unknown>, dialect): Promise<void> {
    const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
    await db.schema
      .createTable('apis')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('prefix', 'text', (c) => c.notNull().unique())
      .addColumn('policy', 'text', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('updated_at', bigint, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('api_id', 'text', (c) => c.notNull().references('apis.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('subject', 'text')
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('expires_at', bigint)
      .addColumn('revoked_at', bigint)
      .addColumn('revoke_reason', 'text')
      .addColumn('ip_allowlist', 'text')
      .addColumn('rate_limit', 'text')
      .addColumn('max_uses', bigint)
      .addColumn('uses', bigint, (c) => c.notNull().defaultTo(0))
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('last_used_at', bigint)
      .addColumn('rotated_from', 'text')
      .addColumn('rotated_to', 'text')
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema
      .createIndex('tokens_api_created')
      .on('tokens')
      .columns(['api_id', 'created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('tokens_created')
      .on('tokens')
      .columns(['created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('tokens_subject')
      .on('tokens')
      .columns(['subject', 'created_at'])
      .execute();
    if (dialect === 'postgres') {
      await sql`create table changes (seq bigserial primary key, type text not null, token_id text, token_hash text, api_id text, payload text not null, created_at bigint not null)`.execute(
        db,
      );
    } else {
      await sql`create table changes (seq integer primary key autoincrement, type text not null, token_id text, token_hash text, api_id text, payload text not null, created_at integer not null)`.execute(
        db,
      );
    }
    await db.schema
      .createTable('meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
};
