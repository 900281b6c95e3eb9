import { sha256Hex } from '@gatehouse/core';
import type { AuditRecord, ChainPosition } from '../store/audit-repo.js';

/** The `prevHash` of a node's first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** Version tag of the canonical form; bump it (and keep the old one verifiable) if it ever changes. */
const CANONICAL_VERSION = 1;

/** An event with everything but its chain position and hashes. */
export type UnchainedRecord = Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>;

/**
 * The canonical serialization that is hashed: a JSON array with a version tag and every stored
 * field in a fixed order, `null` for absent ones. `details` is included as its stored canonical
 * JSON text (sorted keys), so the bytes hashed are exactly what both SQLite and PostgreSQL return.
 * @example canonicalEvent(record) // '[1,"evt_…","node_…",1,1767225600000,"token.created",…]'
 */
export function canonicalEvent(record: Omit<AuditRecord, 'prevHash' | 'hash'>): string {
  return JSON.stringify([
    CANONICAL_VERSION,
    record.id,
    record.nodeId,
    record.seq,
    record.time,
    record.type,
    record.actor,
    record.tokenId,
    record.subject,
    record.api,
    record.ip,
    record.userAgent,
    record.method,
    record.path,
    record.status,
    record.result,
    record.latencyMs,
    record.details,
  ]);
}

/**
 * `hash = SHA-256 hex( prevHash + "\n" + canonicalEvent(record) )`.
 * @example eventHash(GENESIS_HASH, record)
 */
export function eventHash(
  prevHash: string,
  record: Omit<AuditRecord, 'prevHash' | 'hash'>,
): string {
  return sha256Hex(`${prevHash}\n${canonicalEvent(record)}`);
}

/**
 * Chains events after `head`: assigns `seq` head+1, head+2… and links each hash to the previous.
 * Returns the records and the new head.
 * @example const { records, head: next } = chainRecords({ seq: 0, hash: GENESIS_HASH }, events);
 */
export function chainRecords(
  head: ChainPosition,
  events: readonly UnchainedRecord[],
): { records: AuditRecord[]; head: ChainPosition } {
  let { seq, hash } = head;
  const records = events.map((event) => {
    seq += 1;
    const positioned = { ...event, seq };
    const next = eventHash(hash, positioned);
    const record: AuditRecord = { ...positioned, prevHash: hash, hash: next };
    hash = next;
    return record;
  });
  return { records, head: { seq, hash } };
}

/**
 * Keys sorted recursively, so equal objects always serialize to the same text.
 * @example canonicalJson({ b: 1, a: 2 }) // '{"a":2,"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      out[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}
