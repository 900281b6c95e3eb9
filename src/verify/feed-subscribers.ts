import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** A subscriber is live while its holder refreshes `seen_at` within this bound. */
export const SUBSCRIBER_LIVE_MS = 20_000;
/** Rows not seen for this long are deleted (a node that crashed without closing). */
export const SUBSCRIBER_FORGET_MS = 3_600_000;

export interface FeedSubscriber {
  id: string;
  kind: 'node' | 'sse';
  name: string;
  nodeId: string;
  appliedSeq: number;
  appliedAt: number;
  seenAt: number;
}

/**
 * Registers a subscriber (or re-registers it after a reconnect) at `appliedSeq`.
 * @example await registerSubscriber(db, { id: 'node:n1', kind: 'node', name: 'node:n1', nodeId: 'n1', appliedSeq: 0, now });
 */
export async function registerSubscriber(
  db: Kysely<Database>,
  input: Omit<FeedSubscriber, 'appliedAt' | 'seenAt'> & { now: number },
): Promise<void> {
  const row = {
    id: input.id,
    kind: input.kind,
    name: input.name,
    node_id: input.nodeId,
    applied_seq: input.appliedSeq,
    applied_at: input.now,
    seen_at: input.now,
    connected_at: input.now,
  };
  await db
    .insertInto('feed_subscribers')
    .values(row)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        applied_seq: row.applied_seq,
        applied_at: row.applied_at,
        seen_at: row.seen_at,
      }),
    )
    .execute();
}

/**
 * Records that a subscriber applied everything up to `seq` (never moves backwards).
 * Returns false when no such subscriber exists.
 */
export async function recordApplied(
  db: Kysely<Database>,
  id: string,
  seq: number,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('feed_subscribers')
    .set({ applied_seq: seq, applied_at: now, seen_at: now })
    .where('id', '=', id)
    .where('applied_seq', '<', seq)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) > 0) return true;
  const exists = await db
    .selectFrom('feed_subscribers')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();
  if (exists) await touchSubscribers(db, [id], now);
  return exists !== undefined;
}

/** Refreshes liveness of the subscribers this node holds. */
export async function touchSubscribers(
  db: Kysely<Database>,
  ids: readonly string[],
  now: number,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('feed_subscribers')
    .set({ seen_at: now })
    .where('id', 'in', [...ids])
    .execute();
}

export async function removeSubscriber(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('feed_subscribers').where('id', '=', id).execute();
}

/** Subscribers seen since `since`; also deletes long-dead rows. */
export async function liveSubscribers(
  db: Kysely<Database>,
  since: number,
): Promise<FeedSubscriber[]> {
  const rows = await db
    .selectFrom('feed_subscribers')
    .selectAll()
    .where('seen_at', '>=', since)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind as FeedSubscriber['kind'],
    name: row.name,
    nodeId: row.node_id,
    appliedSeq: Number(row.applied_seq),
    appliedAt: Number(row.applied_at),
    seenAt: Number(row.seen_at),
  }));
}

/** Deletes subscribers not seen since `before`. */
export async function forgetDeadSubscribers(db: Kysely<Database>, before: number): Promise<void> {
  await db.deleteFrom('feed_subscribers').where('seen_at', '<', before).execute();
}
