/** Per-token rate limit: at most `limit` verifications per `windowSeconds`. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

export type TokenKind = 'opaque' | 'jwt';
export type TokenStatus = 'active' | 'expired' | 'revoked';

/** An API (keyspace): its own token prefix and issuing policy. */
export interface ApiPolicy {
  maxTtlSeconds: number | null;
  defaultTtlSeconds: number | null;
  allowedScopes: string[] | null;
  rotationPeriodSeconds: number | null;
  requireIpAllowlist: boolean;
}

export interface ApiRecord {
  id: string;
  name: string;
  prefix: string;
  policy: ApiPolicy;
  createdAt: number;
  updatedAt: number;
}

/** A token as stored: never the secret, only its hash. Times are epoch milliseconds. */
export interface TokenRecord {
  id: string;
  apiId: string;
  kind: TokenKind;
  /** SHA-256 hex of the opaque secret; for `jwt` tokens, null (they are found by `id` = `jti`). */
  hash: string | null;
  name: string;
  subject: string | null;
  scopes: string[];
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  revokeReason: string | null;
  ipAllowlist: string[] | null;
  rateLimit: RateLimit | null;
  maxUses: number | null;
  uses: number;
  metadata: Record<string, unknown>;
  lastUsedAt: number | null;
  rotatedFrom: string | null;
  rotatedTo: string | null;
  /** Incremented on every change; caches use it to refuse stale fills. */
  version: number;
}

/** Status derived from a record at a point in time. */
export function tokenStatus(
  token: Pick<TokenRecord, 'revokedAt' | 'expiresAt'>,
  now: number,
): TokenStatus {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt <= now) return 'expired';
  return 'active';
}

/** What a new record needs; everything else starts empty (never used, not revoked, version 1). */
export type NewTokenFields = Pick<TokenRecord, 'id' | 'apiId' | 'name' | 'scopes' | 'createdAt'> &
  Partial<TokenRecord>;

/**
 * A fresh token record with the lifecycle fields at their starting values.
 * @example newTokenRecord({ id, apiId, name: 'ci', scopes: ['orders:read'], createdAt: now, hash })
 */
export function newTokenRecord(fields: NewTokenFields): TokenRecord {
  return {
    kind: 'opaque',
    hash: null,
    subject: null,
    expiresAt: null,
    revokedAt: null,
    revokeReason: null,
    ipAllowlist: null,
    rateLimit: null,
    maxUses: null,
    uses: 0,
    metadata: {},
    lastUsedAt: null,
    rotatedFrom: null,
    rotatedTo: null,
    version: 1,
    ...fields,
  };
}
