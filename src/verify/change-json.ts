import type { ChangeEvent } from '../store/changes-repo.js';

/** A change as the wire protocol carries it (docs/architecture.md). Never holds a secret. */
export interface ChangeJson {
  seq: number;
  type: string;
  tokenId: string | null;
  tokenHash: string | null;
  apiId: string | null;
  /** ISO 8601. */
  time: string;
  data: Record<string, unknown>;
}

/**
 * The wire form of a stored change.
 * @example toChangeJson(change) // { seq: 7, type: 'token.revoked', …, time: '2026-…Z', data: {} }
 */
export function toChangeJson(change: ChangeEvent): ChangeJson {
  return {
    seq: change.seq,
    type: change.type,
    tokenId: change.tokenId,
    tokenHash: change.tokenHash,
    apiId: change.apiId,
    time: new Date(change.time).toISOString(),
    data: change.payload,
  };
}
