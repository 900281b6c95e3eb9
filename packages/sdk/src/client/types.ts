import type { VerifyResult } from '@gatehouse/core';

/** An API's issuing policy (CONTRACT §3). */
export interface ApiPolicyJson {
  maxTtlSeconds?: number | null;
  defaultTtlSeconds?: number | null;
  allowedScopes?: string[] | null;
  rotationPeriodSeconds?: number | null;
  requireIpAllowlist?: boolean;
}

export interface ApiJson {
  id: string;
  name: string;
  prefix: string;
  policy: ApiPolicyJson;
  createdAt: string;
  [field: string]: unknown;
}

export interface CreateApiInput {
  name: string;
  prefix: string;
  policy?: ApiPolicyJson;
}

export interface RateLimitJson {
  limit: number;
  windowSeconds: number;
}

/** A token as the API shows it: never the secret, except `token` in create/rotate answers. */
export interface TokenJson {
  id: string;
  api: string;
  name: string;
  subject: string | null;
  scopes: string[];
  kind?: 'opaque' | 'jwt';
  createdAt: string;
  expiresAt: string | null;
  status: 'active' | 'expired' | 'revoked';
  ipAllowlist?: string[] | null;
  rateLimit?: RateLimitJson | null;
  maxUses?: number | null;
  metadata: Record<string, unknown>;
  lastUsedAt?: string | null;
  rotatedFrom?: string | null;
  rotatedTo?: string | null;
  [field: string]: unknown;
}

/** A create or rotate answer: the only time the secret is shown. */
export interface CreatedTokenJson extends TokenJson {
  token: string;
}

export interface CreateTokenInput {
  /** API name or id; the server defaults to `default`. */
  api?: string;
  name: string;
  subject?: string;
  scopes: string[];
  kind?: 'opaque' | 'jwt';
  ttlSeconds?: number;
  expiresAt?: string;
  ipAllowlist?: string[];
  rateLimit?: RateLimitJson;
  maxUses?: number;
  metadata?: Record<string, unknown>;
}

export interface UpdateTokenInput {
  name?: string;
  scopes?: string[];
  metadata?: Record<string, unknown>;
  ipAllowlist?: string[] | null;
  rateLimit?: RateLimitJson | null;
}

export interface ListTokensQuery {
  api?: string;
  subject?: string;
  status?: 'active' | 'expired' | 'revoked';
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface RevokeInput {
  reason?: string;
  /** Return only once every live verifier has applied the revocation (or after `waitMs`). */
  wait?: boolean;
  waitMs?: number;
}

export interface RevokeReceipt {
  verifiers: number;
  confirmed: number;
  maxLagMs: number;
}

export type RevokedTokenJson = TokenJson & { receipt?: RevokeReceipt };

/** The server's verify answer; valid answers carry cache hints (docs/architecture.md). */
export type VerifyResponseJson = VerifyResult;

export interface VerifyInput {
  scopes?: readonly string[];
  ip?: string;
}

export type { AuditEventJson, ChangeJson } from '@gatehouse/core';

export interface AuditQuery {
  tokenId?: string;
  subject?: string;
  type?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export type AuditVerifyJson = { ok: true; checked: number } | { ok: false; firstBadEvent: unknown };

export interface AlertJson {
  id: string;
  status: string;
  [field: string]: unknown;
}

export interface WebhookJson {
  id: string;
  url: string;
  events: string[];
  /** `whsec_…`, shown once on create. */
  secret?: string;
  [field: string]: unknown;
}
