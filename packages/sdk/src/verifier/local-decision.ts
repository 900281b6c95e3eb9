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
  return identity.accepted;
}

/** The cacheable part of a server answer. */
export function identityFrom(
  answer: Extract<VerifyResponseJson, { valid: true }>,
  fetchedAt: number,
): CachedIdentity {
  const scopes = Object.freeze([...answer.scopes]) as string[];
  const metadata = answer.metadata ?? {};
  return {
    tokenId: answer.tokenId,
    api: answer.api,
    subject: answer.subject,
    scopes,
    expiresAt: answer.expiresAt === null ? null : Date.parse(answer.expiresAt),
    metadata,
    ipAllowlist: answer.ipAllowlist ?? null,
    fetchedAt,
    accepted: Object.freeze({
      valid: true,
      tokenId: answer.tokenId,
      api: answer.api,
      subject: answer.subject,
      scopes,
      expiresAt: answer.expiresAt,
      metadata,
    }),
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
