import { TOKEN_SCAN_REGEX, tokenFingerprint } from '@gatehouse/core';

// Compact JWS (`eyJ…`.`eyJ…`.`sig`) and webhook signing secrets, besides opaque Gatehouse tokens.
const JWT_REGEX = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}/g;
const WEBHOOK_SECRET_REGEX = /whsec_[A-Za-z0-9]{16,}/g;
// Detail keys whose values are credentials by name, whatever they look like.
const SECRET_KEYS = /^(token|secret|password|authorization|client_secret|api_key|apikey)$/i;
const MAX_STRING = 2048;

/**
 * Replaces anything that looks like a credential with its fingerprint. A second line of defence:
 * callers must never pass secrets, but a token pasted in a query string or a malformed bearer
 * value in `details` must still never reach the audit table or an export.
 * @example scrubText('/x?token=gth_…') // '/x?token=sha256:3f2a9c1e04b1'
 */
export function scrubText(text: string): string {
  let out = text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text;
  out = out.replace(TOKEN_SCAN_REGEX, (match) => tokenFingerprint(match));
  out = out.replace(JWT_REGEX, (match) => tokenFingerprint(match));
  return out.replace(WEBHOOK_SECRET_REGEX, (match) => tokenFingerprint(match));
}

/** {@link scrubText} for an optional field. */
export function scrubOptional(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : scrubText(text);
}

/**
 * Scrubs every string in a details object; values under credential-named keys become a
 * fingerprint unless they already are one.
 * @example scrubDetails({ token: 'gth_…', reason: 'x' }) // { token: 'sha256:…', reason: 'x' }
 */
export function scrubDetails(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (SECRET_KEYS.test(key) && !/^sha256:[0-9a-f]{12}$/.test(value)) {
      return tokenFingerprint(value);
    }
    return scrubText(value);
  }
  if (Array.isArray(value)) return value.map((item) => scrubDetails(item, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubDetails(v, k);
    return out;
  }
  return value;
}
