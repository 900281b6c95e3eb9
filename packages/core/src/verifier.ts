import type { VerifyResult } from './verify-codes.js';

export interface VerifyOptions {
  /** Scopes the request needs; every one must be covered by the token's scopes. */
  scopes?: readonly string[];
  /** The client's IP address, checked against the token's allowlist. */
  ip?: string | undefined;
  /** When set, only tokens of this API (name) are accepted; others are NOT_FOUND. */
  api?: string | undefined;
}

/**
 * Anything that can verify a token: the server's in-process verify service, or the SDK's remote
 * verifier. Never throws for a bad token: denials are results.
 * @example const result = await verifier.verify(token, { scopes: ['orders:read'], ip });
 */
export interface TokenVerifier {
  verify(token: string, options?: VerifyOptions): Promise<VerifyResult>;
}
