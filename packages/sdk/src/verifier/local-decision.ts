import {
  type RejectedToken,
  staticCheck,
  type VerifyOptions,
  type VerifyResult,
} from '@gatehouse/core';
import type { VerifyResponseJson } from '../client/types.js';
import type { CachedIdentity } from './verify-cache.js';

/**
 * Decides a request from a cached identity: API, expiry, IP and scopes, all in-process, in the
 * same order as the server (core `staticCheck`).
 * @example const result = decideLocally(cache.get(hash)!, { scopes: ['orders:read'] }, clock.now());
 */
export function decideLocally(
  identity: CachedIdentity,
  options: VerifyOptions,
  now: number,
): VerifyResult {
  if (options.api !== undefined && identity.api !== options.api) return notFound();
  const denial = staticCheck({
    token: {
      revokedAt: null,
      expiresAt: identity.expiresAt,
      scopes: identity.scopes,
      ipAllowlist: identity.ipAllowlist,
      maxUses: null,
      uses: 0,
    },
    now,
    requiredScopes: options.scopes,
    ip: options.ip,
  });
  if (denial) return denial;
  return {
    valid: true,
    tokenId: identity.tokenId,
    api: identity.api,
    subject: identity.subject,
    scopes: [...identity.scopes],
    expiresAt: identity.expiresAt === null ? null : new Date(identity.expiresAt).toISOString(),
    metadata: identity.metadata,
  };
}

/** The cacheable part of a server answer. */
export function identityFrom(
  answer: Extract<VerifyResponseJson, { valid: true }>,
  fetchedAt: number,
): CachedIdentity {
  return {
    tokenId: answer.tokenId,
    api: answer.api,
    subject: answer.subject,
    scopes: answer.scopes,
    expiresAt: answer.expiresAt === null ? null : Date.parse(answer.expiresAt),
    metadata: answer.metadata ?? {},
    ipAllowlist: answer.ipAllowlist ?? null,
    fetchedAt,
  };
}

/** The contract's result shape from a server answer (cache hints stripped). */
export function resultFrom(answer: VerifyResponseJson, options: VerifyOptions): VerifyResult {
  if (!answer.valid) {
    const result: RejectedToken = { valid: false, code: answer.code };
    if (answer.missingScopes) result.missingScopes = answer.missingScopes;
    if (answer.retryAfterSeconds !== undefined) result.retryAfterSeconds = answer.retryAfterSeconds;
    return result;
  }
  if (options.api !== undefined && answer.api !== options.api) return notFound();
  const { version: _v, cacheable: _c, ipAllowlist: _i, ...identity } = answer;
  return identity;
}

function notFound(): RejectedToken {
  return { valid: false, code: 'NOT_FOUND' };
}
