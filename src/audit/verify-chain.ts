import type { Kysely } from 'kysely';
import {
  type AuditRecord,
  type ChainPosition,
  chainCheckpoint,
  chainHeads,
  nodeEventsAfter,
} from '../store/audit-repo.js';
import type { Database } from '../store/schema.js';
import { eventHash, GENESIS_HASH } from './hash-chain.js';

/** Why an event failed verification. */
export type ChainFault =
  /** The stored hash is not the hash of the stored content (an edited row). */
  | 'hash_mismatch'
  /** The event does not link to the previous one (reordered or spliced rows). */
  | 'broken_link'
  /** Events are missing before this one (deleted rows). */
  | 'gap'
  /** The chain ends before its recorded head (the newest rows were deleted). */
  | 'missing_tail';

export interface BadEvent {
  /** The first event that fails; null when the events themselves are gone (`missing_tail`). */
  id: string | null;
  nodeId: string;
  seq: number;
  time: number | null;
  reason: ChainFault;
}

export type ChainVerdict =
  | { ok: true; checked: number }
  | { ok: false; checked: number; firstBadEvent: BadEvent };

const PAGE = 1000;

/**
 * Recomputes every node's chain from its retention checkpoint (or genesis) up to the head it had
 * when verification started. Reads in pages outside any transaction, so it never blocks writers
 * or retention; events pruned while it runs are accepted through the newer checkpoint.
 * @example const verdict = await verifyChain(store.db); if (!verdict.ok) console.log(verdict.firstBadEvent);
 */
export async function verifyChain(
  db: Kysely<Database>,
  options: { nodeId?: string } = {},
): Promise<ChainVerdict> {
  const heads = await chainHeads(db);
  let checked = 0;
  for (const [nodeId, head] of heads) {
    if (options.nodeId !== undefined && nodeId !== options.nodeId) continue;
    const result = await verifyNode(db, nodeId, head);
    checked += result.checked;
    if (result.bad) return { ok: false, checked, firstBadEvent: result.bad };
  }
  return { ok: true, checked };
}

async function verifyNode(
  db: Kysely<Database>,
  nodeId: string,
  head: ChainPosition,
): Promise<{ checked: number; bad?: BadEvent }> {
  let position: ChainPosition = (await chainCheckpoint(db, nodeId)) ?? {
    seq: 0,
    hash: GENESIS_HASH,
  };
  let checked = 0;
  while (position.seq < head.seq) {
    const page = await nodeEventsAfter(
      db,
      nodeId,
      position.seq,
      Math.min(PAGE, head.seq - position.seq),
    );
    if (page.length === 0) {
      const checkpoint = await chainCheckpoint(db, nodeId);
      if (checkpoint && checkpoint.seq > position.seq) {
        position = checkpoint; // pruned while we read
        continue;
      }
      return {
        checked,
        bad: { id: null, nodeId, seq: position.seq + 1, time: null, reason: 'missing_tail' },
      };
    }
    for (const event of page) {
      if (event.seq > head.seq) break;
      if (event.seq !== position.seq + 1) {
        // Retention may have pruned past us meanwhile: continue from its newer checkpoint.
        const checkpoint = await chainCheckpoint(db, nodeId);
        if (checkpoint && checkpoint.seq === event.seq - 1 && checkpoint.seq > position.seq) {
          position = checkpoint;
        } else return { checked, bad: badEvent(event, 'gap') };
      }
      const fault = checkEvent(event, position.hash);
      if (fault) return { checked, bad: badEvent(event, fault) };
      position = { seq: event.seq, hash: event.hash };
      checked += 1;
    }
  }
  if (position.hash !== head.hash) {
    return { checked, bad: { id: null, nodeId, seq: head.seq, time: null, reason: 'broken_link' } };
  }
  return { checked };
}

function checkEvent(event: AuditRecord, expectedPrev: string): ChainFault | undefined {
  if (eventHash(event.prevHash, event) !== event.hash) return 'hash_mismatch';
  if (event.prevHash !== expectedPrev) return 'broken_link';
  return undefined;
}

function badEvent(event: AuditRecord, reason: ChainFault): BadEvent {
  return { id: event.id, nodeId: event.nodeId, seq: event.seq, time: event.time, reason };
}
