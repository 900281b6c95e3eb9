/** Every reason a verification can fail. Stable strings: part of the public contract. */
export const VERIFY_CODES = [
  'MALFORMED',
  'NOT_FOUND',
  'EXPIRED',
  'REVOKED',
  'INSUFFICIENT_SCOPE',
  'IP_NOT_ALLOWED',
  'RATE_LIMITED',
  'USAGE_EXCEEDED',
] as const;

export type VerifyCode = (typeof VERIFY_CODES)[number];

/** The identity a successful verification yields. */
export interface VerifiedToken {
  valid: true;
  tokenId: string;
  api: string;
  subject: string | null;
  scopes: string[];
  expiresAt: string | null;
  metadata: Record<string, unknown>;
  rateLimit?: { limit: number; remaining: number; resetAt: string };
  /** Record version, for caching verifiers. */
  version?: number;
  /** False when only the server can decide (rate limit, maxUses): do not cache. */
  cacheable?: boolean;
  /** The token's allowlist, so a caching verifier can check the client IP locally. */
  ipAllowlist?: string[] | null;
}

export interface RejectedToken {
  valid: false;
  code: VerifyCode;
  /** For INSUFFICIENT_SCOPE: the scopes the caller asked for that were missing. */
  missingScopes?: string[];
  /** For RATE_LIMITED: seconds until the window allows another call. */
  retryAfterSeconds?: number;
}

/** A verification outcome. A denial is data, never an exception. */
export type VerifyResult = VerifiedToken | RejectedToken;

export type Rfc6750Error =
  | 'invalid_token'
  | 'insufficient_scope'
  | 'rate_limited'
  | 'usage_exceeded';

/** HTTP status and RFC 6750 error for each code, at the enforcement edge (middleware, proxy). */
export const CODE_TO_HTTP: Readonly<Record<VerifyCode, { status: number; error: string }>> = {
  MALFORMED: { status: 401, error: 'invalid_token' },
  NOT_FOUND: { status: 401, error: 'invalid_token' },
  EXPIRED: { status: 401, error: 'invalid_token' },
  REVOKED: { status: 401, error: 'invalid_token' },
  // Not revealing whether the address or the token was wrong: it is simply not valid here.
  IP_NOT_ALLOWED: { status: 401, error: 'invalid_token' },
  INSUFFICIENT_SCOPE: { status: 403, error: 'insufficient_scope' },
  RATE_LIMITED: { status: 429, error: 'rate_limited' },
  USAGE_EXCEEDED: { status: 401, error: 'invalid_token' },
};
