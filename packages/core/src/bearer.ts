import type { VerifyResult } from './verify-codes.js';

/** What an `Authorization` header holds, per RFC 6750 §2.1 as the contract reads it. */
export type BearerCredential =
  | { kind: 'none' }
  | { kind: 'malformed' }
  | { kind: 'token'; token: string };

// RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Reads a bearer credential. Missing/empty header, a bare `Bearer`, or another scheme → `none`;
 * `Bearer` followed by anything but exactly one b64token → `malformed`. Scheme is case-insensitive.
 * @example parseAuthorization(req.headers.authorization)
 */
export function parseAuthorization(header: string | string[] | undefined | null): BearerCredential {
  if (Array.isArray(header)) {
    // No header at all is "none"; several Authorization headers are ambiguous, so malformed.
    if (header.length === 0) return { kind: 'none' };
    return header.length === 1 ? parseAuthorization(header[0]) : { kind: 'malformed' };
  }
  if (!header) return { kind: 'none' };
  const trimmed = header.trim();
  const space = trimmed.search(/\s/);
  const scheme = space === -1 ? trimmed : trimmed.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return { kind: 'none' };
  const rest = space === -1 ? '' : trimmed.slice(space).trim();
  if (rest === '') return { kind: 'none' };
  if (!B64TOKEN.test(rest)) return { kind: 'malformed' };
  return { kind: 'token', token: rest };
}

/** An HTTP answer to a denied request: status, headers and a small JSON body. */
export interface Challenge {
  status: number;
  headers: Record<string, string>;
  body: { error?: string; error_description?: string } | Record<string, never>;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Builds the RFC 6750 response for a missing/malformed credential or a failed verification.
 * Unknown, expired and revoked tokens are indistinguishable to the caller.
 * @example const c = challengeFor({ kind: 'none' }, { realm: 'orders' }); res.status(c.status)
 */
export function challengeFor(
  outcome:
    | { kind: 'none' }
    | { kind: 'malformed' }
    | {
        kind: 'denied';
        result: Exclude<VerifyResult, { valid: true }>;
        requiredScopes?: readonly string[];
      },
  options: { realm: string },
): Challenge {
  const realm = `realm=${quote(options.realm)}`;
  if (outcome.kind === 'none') {
    return { status: 401, headers: { 'www-authenticate': `Bearer ${realm}` }, body: {} };
  }
  if (outcome.kind === 'malformed') {
    return {
      status: 400,
      headers: { 'www-authenticate': `Bearer ${realm}, error="invalid_request"` },
      body: { error: 'invalid_request', error_description: 'malformed Authorization header' },
    };
  }
  const { result } = outcome;
  if (result.code === 'RATE_LIMITED') {
    return {
      status: 429,
      headers: { 'retry-after': String(Math.max(1, Math.ceil(result.retryAfterSeconds ?? 1))) },
      body: { error: 'rate_limited', error_description: 'too many requests for this token' },
    };
  }
  if (result.code === 'INSUFFICIENT_SCOPE') {
    const scope = (outcome.requiredScopes ?? result.missingScopes ?? []).join(' ');
    return {
      status: 403,
      headers: {
        'www-authenticate': `Bearer ${realm}, error="insufficient_scope", scope=${quote(scope)}`,
      },
      body: { error: 'insufficient_scope', error_description: 'the token lacks a required scope' },
    };
  }
  return {
    status: 401,
    headers: { 'www-authenticate': `Bearer ${realm}, error="invalid_token"` },
    body: { error: 'invalid_token', error_description: 'the access token is invalid' },
  };
}
