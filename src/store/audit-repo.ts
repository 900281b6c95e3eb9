import { type Kysely, type Selectable, sql } from 'kysely';
import type { Dialect } from './migrator.js';
import type { AuditEventsTable, Database } from './schema.js';
import type { PreparedStatements } from './store.js';

/** An audit event as stored: the event fields plus its place in its node's hash chain. */
export interface AuditRecord {
  id: string;
  nodeId: string;
  /** Position in the node's chain, 1, 2, 3… without gaps. */
  seq: number;
  /** Epoch ms. */
  time: number;
  type: string;
  actor: string | null;
  tokenId: string | null;
  subject: string | null;
  api: string | null;
  ip: string | null;
  userAgent: string | null;
  method: string | null;
  path: string | null;
  status: number | null;
  result: string | null;
  latencyMs: number | null;
  /** Canonical JSON text, exactly as hashed (null when there are no details). */
  details: string | null;
  prevHash: string;
  hash: string;
}

/** The newest position of a node's chain (`seq` 0 and the genesis hash for an empty chain). */
export interface ChainPosition {
  seq: number;
  hash: string;
}

/** Filters of `GET /v1/audit`; `since` inclusive, `until` exclusive (epoch ms). */
export interface AuditFilter {
  tokenId?: string | undefined;
  subject?: string | undefined;
  /** An exact type, or a family prefix ending in `.` (`token.`). */
  type?: string | undefined;
  result?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

/** A keyset position in `(time, id)` order. */
export interface AuditCursor {
  time: number;
  id: string;
}

export function toAuditRecord(row: Selectable<AuditEventsTable>): AuditRecord {
  return {
    id: row.id,
    nodeId: row.node_id,
    seq: Number(row.node_seq),
    time: Number(row.created_at),
    type: row.type,
    actor: row.actor,
    tokenId: row.token_id,
    subject: row.subject,
    api: row.api,
    ip: row.ip,
    userAgent: row.user_agent,
    method: row.method,
    path: row.path,
    status: row.status === null ? null : Number(row.status),
    result: row.result,
    latencyMs: row.latency_ms === null ? null : Number(row.latency_ms),
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function toRow(record: AuditRecord): AuditEventsTable {
  return {
    id: record.id,
    node_id: record.nodeId,
    node_seq: record.seq,
    created_at: record.time,
    type: record.type,
    actor: record.actor,
    token_id: record.tokenId,
    subject: record.subject,
    api: record.api,
    ip: record.ip,
    user_agent: record.userAgent,
    method: record.method,
    path: record.path,
    status: record.status,
    result: record.result,
    latency_ms: record.latencyMs,
    details: record.details,
    prev_hash: record.prevHash,
    hash: record.hash,
  };
}

// 19 columns × 500 rows stays under SQLite's 32 766 and PostgreSQL's 65 535 bound parameters.
const INSERT_CHUNK = 500;

const nativeInserts = new WeakMap<PreparedStatements, { run(...params: unknown[]): unknown }>();

/**
 * Inserts chained records (inside the transaction that holds the chain head). On SQLite, with the
 * native connection at hand, one cached prepared statement per row: about half the CPU of a
 * 500-row query built and prepared per batch, on the path every verification's event takes.
 */
export async function insertAuditRecords(
  tx: Kysely<Database>,
  records: readonly AuditRecord[],
  sqlite?: PreparedStatements,
): Promise<void> {
  if (sqlite && records.length > 0) {
    let insert = nativeInserts.get(sqlite);
    if (!insert) {
      // Named parameters, bound straight from the row object `toRow` builds for Kysely too.
      const columns = Object.keys(toRow(records[0]!));
      insert = sqlite.prepare(
        `insert into audit_events (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
      );
      nativeInserts.set(sqlite, insert);
    }
    for (const record of records) insert.run(toRow(record));
    return;
  }
  for (let i = 0; i < records.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('audit_events')
      .values(records.slice(i, i + INSERT_CHUNK).map(toRow))
      .execute();
  }
}

/**
 * Reads a node's chain head and locks it until the transaction ends, creating it on first use.
 * On PostgreSQL `FOR UPDATE` serializes writers of the same node (another process, or a usage
 * batch racing a management transaction); SQLite's `BEGIN IMMEDIATE` already holds the file lock.
 */
export async function lockChainHead(
  tx: Kysely<Database>,
  dialect: Dialect,
  nodeId: string,
  genesis: string,
  now: number,
): Promise<ChainPosition> {
  await tx
    .insertInto('audit_chain_heads')
    .values({ node_id: nodeId, seq: 0, hash: genesis, updated_at: now })
    .onConflict((oc) => oc.column('node_id').doNothing())
    .execute();
  let query = tx
    .selectFrom('audit_chain_heads')
    .select(['seq', 'hash'])
    .where('node_id', '=', nodeId);
  if (dialect === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirstOrThrow();
  return { seq: Number(row.seq), hash: row.hash };
}

/** Moves a node's chain head (same transaction as {@link lockChainHead}). */
export async function setChainHead(
  tx: Kysely<Database>,
  nodeId: string,
  head: ChainPosition,
  now: number,
): Promise<void> {
  await tx
    .updateTable('audit_chain_heads')
    .set({ seq: head.seq, hash: head.hash, updated_at: now })
    .where('node_id', '=', nodeId)
    .execute();
}

/** Every node's chain head, by node id. */
export async function chainHeads(db: Kysely<Database>): Promise<Map<string, ChainPosition>> {
  const rows = await db.selectFrom('audit_chain_heads').selectAll().orderBy('node_id').execute();
  return new Map(rows.map((row) => [row.node_id, { seq: Number(row.seq), hash: row.hash }]));
}

/** Where a node's remaining chain starts after retention (undefined when nothing was pruned). */
export async function chainCheckpoint(
  db: Kysely<Database>,
  nodeId: string,
): Promise<ChainPosition | undefined> {
  const row = await db
    .selectFrom('audit_checkpoints')
    .select(['seq', 'hash'])
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
}

/** A node's events with `seq > after`, in chain order. */
export async function nodeEventsAfter(
  db: Kysely<Database>,
  nodeId: string,
  after: number,
  limit: number,
): Promise<AuditRecord[]> {
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('node_id', '=', nodeId)
    .where('node_seq', '>', after)
    .orderBy('node_seq')
    .limit(limit)
    .execute();
  return rows.map(toAuditRecord);
}

/**
 * One page of events matching `filter`, newest first, strictly after `cursor` in that order.
 * Each filter column leads an index ending in `(created_at, id)`, so the page is a range scan.
 */
export async function listAuditRecords(
  db: Kysely<Database>,
  filter: AuditFilter,
  page: { limit: number; cursor?: AuditCursor | undefined; order?: 'desc' | 'asc' },
): Promise<AuditRecord[]> {
  const order = page.order ?? 'desc';
  let query = db.selectFrom('audit_events').selectAll();
  if (filter.tokenId !== undefined) query = query.where('token_id', '=', filter.tokenId);
  if (filter.subject !== undefined) query = query.where('subject', '=', filter.subject);
  if (filter.result !== undefined) query = query.where('result', '=', filter.result);
  if (filter.type?.endsWith('.')) {
    // A prefix as a range ('token.' ≤ type < 'token/') so the type index still serves it.
    const upper = `${filter.type.slice(0, -1)}/`;
    query = query.where('type', '>=', filter.type).where('type', '<', upper);
  } else if (filter.type !== undefined) query = query.where('type', '=', filter.type);
  if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('created_at', '<', filter.until);
  const cursor = page.cursor;
  if (cursor) {
    query =
      order === 'desc'
        ? query.where(sql<boolean>`(created_at, id) < (${cursor.time}, ${cursor.id})`)
        : query.where(sql<boolean>`(created_at, id) > (${cursor.time}, ${cursor.id})`);
  }
  const rows = await query
    .orderBy('created_at', order)
    .orderBy('id', order)
    .limit(page.limit)
    .execute();
  return rows.map(toAuditRecord);
}

/** Finds one event by id. */
export async function findAuditRecord(
  db: Kysely<Database>,
  id: string,
): Promise<AuditRecord | undefined> {
  const row = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toAuditRecord(row) : undefined;
}

/**
 * Deletes the oldest events of a node, up to and including `upToSeq`, and records the last
 * deleted event as the node's checkpoint, in one transaction: the chain stays verifiable from
 * the checkpoint on.
 */
export async function pruneNodePrefix(
  tx: Kysely<Database>,
  nodeId: string,
  last: ChainPosition,
  now: number,
): Promise<number> {
  const result = await tx
    .deleteFrom('audit_events')
    .where('node_id', '=', nodeId)
    .where('node_seq', '<=', last.seq)
    .executeTakeFirst();
  await tx
    .insertInto('audit_checkpoints')
    .values({ node_id: nodeId, seq: last.seq, hash: last.hash, pruned_at: now })
    // Never move a checkpoint backwards (two pruners racing with stale reads).
    .onConflict((oc) =>
      oc
        .column('node_id')
        .doUpdateSet({ seq: last.seq, hash: last.hash, pruned_at: now })
        .where('audit_checkpoints.seq', '<', last.seq),
    )
    .execute();
  return Number(result.numDeletedRows);
}

/** The oldest `limit` events of a node (chain order): `seq`, `time` and `hash` only. */
export async function oldestNodeEvents(
  db: Kysely<Database>,
  nodeId: string,
  limit: number,
): Promise<Array<{ seq: number; time: number; hash: string }>> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['node_seq', 'created_at', 'hash'])
    .where('node_id', '=', nodeId)
    .orderBy('node_seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    seq: Number(row.node_seq),
    time: Number(row.created_at),
    hash: row.hash,
  }));
}

/** Total number of stored audit events. */
export async function countAuditRecords(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
