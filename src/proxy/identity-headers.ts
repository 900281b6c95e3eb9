import type { VerifiedToken } from '@gatehouse/core';

/** Headers the gateway sets for the upstream; clients may never send them themselves. */
export const IDENTITY_HEADERS = {
  tokenId: 'x-gatehouse-token-id',
  subject: 'x-gatehouse-subject',
  scopes: 'x-gatehouse-scopes',
} as const;

const IDENTITY_NAMES: ReadonlySet<string> = new Set(Object.values(IDENTITY_HEADERS));

/**
 * Whether a (lower-case) header name is one of the identity headers, so an incoming copy must be
 * dropped before forwarding: otherwise a client could claim any identity on a public route.
 * @example isIdentityHeader('x-gatehouse-subject') // true
 */
export function isIdentityHeader(name: string): boolean {
  return IDENTITY_NAMES.has(name);
}

/**
 * The identity headers for a verified token. Subjects are free text set by an administrator; a
 * value that is not printable ASCII is percent-encoded so it can never split or break a header.
 * Scopes are space-separated like an OAuth `scope` claim. No subject → no subject header.
 * @example identityHeaders(result) // { 'x-gatehouse-token-id': 'tok_…', 'x-gatehouse-scopes': 'orders:read' }
 */
export function identityHeaders(token: VerifiedToken): Record<string, string> {
  const headers: Record<string, string> = {
    [IDENTITY_HEADERS.tokenId]: token.tokenId,
    [IDENTITY_HEADERS.scopes]: token.scopes.join(' '),
  };
  if (token.subject !== null && token.subject !== '')
    headers[IDENTITY_HEADERS.subject] = headerSafe(token.subject);
  return headers;
}

function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}
