import { type ApiRecord, type TokenRecord, tokenStatus } from '@gatehouse/core';

/** The public JSON shape of a token. Never contains the secret or its hash. */
export interface TokenView {
  id: string;
  api: string;
  kind: 'opaque' | 'jwt';
  name: string;
  subject: string | null;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  status: 'active' | 'expired' | 'revoked';
  revokedAt: string | null;
  revokeReason: string | null;
  ipAllowlist: string[] | null;
  rateLimit: { limit: number; windowSeconds: number } | null;
  maxUses: number | null;
  uses: number;
  metadata: Record<string, unknown>;
  lastUsedAt: string | null;
  rotatedFrom: string | null;
  rotatedTo: string | null;
  /** When the API's rotation period says this token should be rotated (null without a period). */
  rotationDueAt: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Renders a record for API responses.
 * @example reply.send(toTokenView(record, api, clock.now()))
 */
export function toTokenView(
  token: TokenRecord,
  api: Pick<ApiRecord, 'name' | 'policy'>,
  now: number,
): TokenView {
  const period = api.policy.rotationPeriodSeconds;
  return {
    id: token.id,
    api: api.name,
    kind: token.kind,
    name: token.name,
    subject: token.subject,
    scopes: token.scopes,
    createdAt: iso(token.createdAt)!,
    expiresAt: iso(token.expiresAt),
    status: tokenStatus(token, now),
    revokedAt: iso(token.revokedAt),
    revokeReason: token.revokeReason,
    ipAllowlist: token.ipAllowlist,
    rateLimit: token.rateLimit,
    maxUses: token.maxUses,
    uses: token.uses,
    metadata: token.metadata,
    lastUsedAt: iso(token.lastUsedAt),
    rotatedFrom: token.rotatedFrom,
    rotatedTo: token.rotatedTo,
    rotationDueAt: period ? iso(token.createdAt + period * 1000) : null,
  };
}
