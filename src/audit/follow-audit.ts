import type { Kysely } from 'kysely';
import { type AuditRecord, chainHeads, nodeEventsAfter } from '../store/audit-repo.js';
import type { Database } from '../store/schema.js';

/** Where a follower is: the last chain position seen per node. */
export type FollowPosition = Record<string, number>;

/**
 * The current end of every chain: following from here yields only events written afterwards.
 * @example const start = await auditHeadPosition(store.db);
 */
export async function auditHeadPosition(db: Kysely<Database>): Promise<FollowPosition> {
  const position: FollowPosition = {};
  for (const [nodeId, head] of await chainHeads(db)) position[nodeId] = head.seq;
  return position;
}

/**
 * Reads events written after `position`: node after node, each in chain order. Chain order is
 * commit order (writers hold the node's head lock), so a follower never skips an event that
 * commits late, which a time- or id-ordered poll could. Mutates and returns `position`.
 * @example const { events } = await pollAudit(store.db, position);
 */
export async function pollAudit(
  db: Kysely<Database>,
  position: FollowPosition,
  limitPerNode = 500,
): Promise<{ events: AuditRecord[]; position: FollowPosition }> {
  const events: AuditRecord[] = [];
  for (const [nodeId, head] of await chainHeads(db)) {
    const after = position[nodeId] ?? 0;
    if (head.seq <= after) continue;
    const page = await nodeEventsAfter(db, nodeId, after, limitPerNode);
    const last = page[page.length - 1];
    if (last) position[nodeId] = last.seq;
    events.push(...page);
  }
  return { events, position };
}

/** Position as an SSE event id (base64url JSON), and back. */
export function encodeFollowPosition(position: FollowPosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** @returns undefined when `text` is not a position this server issued. */
export function decodeFollowPosition(text: string): FollowPosition | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString());
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const out: FollowPosition = {};
    for (const [key, seq] of Object.entries(value)) {
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return undefined;
      out[key] = seq;
    }
    return out;
  } catch {
    return undefined;
  }
}
