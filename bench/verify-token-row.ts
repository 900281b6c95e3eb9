import type { TokenRecord } from '@gatehouse/core';
import type { TokensTable } from '../src/store/schema.js';

/** A token record as a `tokens` row (the repo's own mapper is private to it). */
export function toTokenRow(token: TokenRecord): TokensTable {
  return {
    id: token.id,
    api_id: token.apiId,
    kind: token.kind,
    hash: token.hash,
    name: token.name,
    subject: token.subject,
    scopes: JSON.stringify(token.scopes),
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    revoked_at: token.revokedAt,
    revoke_reason: token.revokeReason,
    ip_allowlist: token.ipAllowlist === null ? null : JSON.stringify(token.ipAllowlist),
    rate_limit: token.rateLimit === null ? null : JSON.stringify(token.rateLimit),
    max_uses: token.maxUses,
    uses: token.uses,
    metadata: JSON.stringify(token.metadata),
    last_used_at: token.lastUsedAt,
    rotated_from: token.rotatedFrom,
    rotated_to: token.rotatedTo,
    version: token.version,
  };
}
