import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * The audit log: one row per event, hash-chained per node (`node_id`, `node_seq`), the head of
 * each node's chain, and the checkpoint retention leaves behind (the last deleted hash per node).
 * Every `GET /v1/audit` filter has an index ending in `(created_at, id)`, so a filtered page,
 * newest first, is one index range scan whatever the table size.
 */
export const migration002Audit: Migration = {
  name: '002-audit',
  async up(db: Kysely<unknown>, dialect): Promise<void> {
    const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
    const real = dialect === 'postgres' ? 'double precision' : 'real';
    await db.schema
      .createTable('audit_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('node_id', 'text', (c) => c.notNull())
      .addColumn('node_seq', bigint, (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('actor', 'text')
      .addColumn('token_id', 'text')
      .addColumn('subject', 'text')
      .addColumn('api', 'text')
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('method', 'text')
      .addColumn('path', 'text')
      .addColumn('status', 'integer')
      .addColumn('result', 'text')
      .addColumn('latency_ms', real)
      .addColumn('details', 'text')
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    // The chain order; also the index verification, retention and `audit tail` walk.
    await db.schema
      .createIndex('audit_events_node_seq')
      .unique()
      .on('audit_events')
      .columns(['node_id', 'node_seq'])
      .execute();
    const filters: Array<[string, string[]]> = [
      ['audit_events_time', ['created_at', 'id']],
      ['audit_events_token', ['token_id', 'created_at', 'id']],
      ['audit_events_subject', ['subject', 'created_at', 'id']],
      ['audit_events_type', ['type', 'created_at', 'id']],
      ['audit_events_result', ['result', 'created_at', 'id']],
    ];
    for (const [name, columns] of filters) {
      await db.schema.createIndex(name).on('audit_events').columns(columns).execute();
    }
    await db.schema
      .createTable('audit_chain_heads')
      .addColumn('node_id', 'text', (c) => c.primaryKey())
      .addColumn('seq', bigint, (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('updated_at', bigint, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('audit_checkpoints')
      .addColumn('node_id', 'text', (c) => c.primaryKey())
      .addColumn('seq', bigint, (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('pruned_at', bigint, (c) => c.notNull())
      .execute();
  },
};
