import { type Kysely, sql } from 'kysely';
import type { Dialect } from './migrator.js';
import type { Database } from './schema.js';

/** Change types carried by the feed. Verifiers drop or refresh cache entries on each. */
export type ChangeType =
  | 'token.created'
  | 'token.revoked'
  | 'token.updated'
  | 'token.rotated'
  | 'subject.revoked'
  | 'api.updated'
  | 'key.rotated'
  | 'jwt.revoked';

export interface ChangeEvent {
  seq: number;
  type: ChangeType;
  tokenId: string | null;
  /** SHA-256 hex of the opaque token: lets caches keyed by hash drop the entry without a lookup. */
  tokenHash: string | null;
  apiId: string | null;
  payload: Record<string, unknown>;
  time: number;
}

export type NewChange = Omit<ChangeEvent, 'seq'>;

/** The PostgreSQL NOTIFY channel that wakes feed tailers. */
export const CHANGES_CHANNEL = 'gatehouse_changes';

/**
 * Appends a change inside the caller's write transaction, so a committed mutation always has its
 * event. On PostgreSQL a transaction-scoped advisory lock makes sequence order equal commit order
 * (otherwise a reader could see seq 6 commit before seq 5 and skip 5 forever); NOTIFY is delivered
 * at commit.
 */
export async function appendChange(
  tx: Kysely<Database>,
  dialect: Dialect,
  change: NewChange,
): Promise<number> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(72432)`.execute(tx);
  const row = await tx
    .insertInto('changes')
    .values({
      type: change.type,
      token_id: change.tokenId,
      token_hash: change.tokenHash,
      api_id: change.apiId,
      payload: JSON.stringify(change.payload),
      created_at: change.time,
    })
    .returning('seq')
    .executeTakeFirstOrThrow();
  if (dialect === 'postgres')
    await sql`select pg_notify(${CHANGES_CHANNEL}, ${String(row.seq)})`.execute(tx);
  return Number(row.seq);
}

/** Changes with `seq > after`, oldest first. One indexed range read. */
export async function changesAfter(
  db: Kysely<Database>,
  after: number,
  limit = 500,
): Promise<ChangeEvent[]> {
  const rows = await db
    .selectFrom('changes')
    .selectAll()
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    seq: Number(row.seq),
    type: row.type as ChangeType,
    tokenId: row.token_id,
    tokenHash: row.token_hash,
    apiId: row.api_id,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    time: Number(row.created_at),
  }));
}

/** The newest sequence number (0 when the feed is empty). */
export async function latestChangeSeq(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('changes')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return row?.seq == null ? 0 : Number(row.seq);
}
