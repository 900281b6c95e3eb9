import type { ChangeJson } from '@gatehouse/core';
import type { ChangeEvent } from '../store/changes-repo.js';

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

export type { ChangeJson };
