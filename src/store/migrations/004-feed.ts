import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Change-feed subscribers shared by every server node: each node's own cache tailer and each SSE
 * client record the newest change they applied, so revocation receipts can wait on all of them.
 */
export const migration004Feed: Migration = {
  name: '004-feed',
  async up(db: Kysely<unknown>, dialect): Promise<void> {
    const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
    await db.schema
      .createTable('feed_subscribers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('node_id', 'text', (c) => c.notNull())
      .addColumn('applied_seq', bigint, (c) => c.notNull())
      .addColumn('applied_at', bigint, (c) => c.notNull())
      .addColumn('seen_at', bigint, (c) => c.notNull())
      .addColumn('connected_at', bigint, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('feed_subscribers_seen')
      .on('feed_subscribers')
      .column('seen_at')
      .execute();
  },
};
