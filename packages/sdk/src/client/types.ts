import type { VerifyCode } from '@gatehouse/core';

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
export type VerifyResponseJson =
  | {
      valid: true;
      tokenId: string;
      api: string;
      subject: string | null;
      scopes: string[];
      expiresAt: string | null;
      metadata: Record<string, unknown>;
      rateLimit?: { limit: number; remaining: number; resetAt: string };
      version?: number;
      cacheable?: boolean;
      ipAllowlist?: string[] | null;
    }
  | { valid: false; code: VerifyCode; retryAfterSeconds?: number; missingScopes?: string[] };

export interface VerifyInput {
  scopes?: readonly string[];
  ip?: string;
}

/** One change-feed entry (`ChangeJson` in docs/architecture.md). Never holds a secret. */
export interface ChangeJson {
  seq: number;
  type: string;
  tokenId: string | null;
  tokenHash: string | null;
  apiId: string | null;
  time: string;
  data: Record<string, unknown>;
}

export interface AuditEventJson {
  id: string;
  time: string;
  type: string;
  tokenId?: string;
  subject?: string;
  api?: string;
  actor?: string;
  ip?: string;
  method?: string;
  path?: string;
  status?: number;
  result?: string;
  latencyMs?: number;
  details?: Record<string, unknown>;
  [field: string]: unknown;
}

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
