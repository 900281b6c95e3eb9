import type { Clock, RejectedToken, VerifyCode } from '@gatehouse/core';
import { createRemoteJWKSet, customFetch, type JWTPayload, jwtVerify } from 'jose';
import { GatehouseUnavailableError } from '../errors.js';

/** Local JWT checks (CONTRACT §4): which issuer, audience and `typ` to require. */
export interface JwtOptions {
  /** Expected `iss`. Default: the server's base URL without a trailing slash. */
  issuer?: string;
  /** Expected `aud` (any of). Default: any audience, but `aud` must be present. */
  audience?: string | string[];
  /** Expected `typ` header. Default `at+jwt` (RFC 9068). */
  typ?: string;
}

/** Signature algorithms the server may use; pinned so `none` and HS-with-a-public-key never pass. */
export const JWT_ALGORITHMS: readonly string[] = ['EdDSA', 'ES256'];

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Whether a string has the shape of a compact JWS (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return token.length <= 8192 && COMPACT_JWS.test(token);
}

// jose error code → verify code. Anything not listed (fetch failures, JWKS timeouts) is a fault.
const JOSE_DENIALS: Readonly<Record<string, VerifyCode>> = {
  ERR_JWT_EXPIRED: 'EXPIRED',
  ERR_JWS_INVALID: 'MALFORMED',
  ERR_JWT_INVALID: 'MALFORMED',
  ERR_JWKS_NO_MATCHING_KEY: 'NOT_FOUND',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'NOT_FOUND',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'NOT_FOUND',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'NOT_FOUND',
  ERR_JOSE_ALG_NOT_ALLOWED: 'NOT_FOUND',
  ERR_JOSE_NOT_SUPPORTED: 'NOT_FOUND',
};

export type JwtCheck = { ok: true; claims: JWTPayload & { jti: string } } | RejectedToken;

/**
 * Verifies a Gatehouse JWT's signature and claims against the server's JWKS
 * (`/.well-known/jwks.json`, fetched and cached by jose). Revocation is the caller's job.
 * @example const check = await jwt.check(token); if ('ok' in check) use(check.claims.jti);
 */
export class JwtVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private readonly issuer: string;

  constructor(
    baseUrl: URL,
    private readonly options: JwtOptions & { clock: Clock; fetch?: typeof fetch },
  ) {
    const jwksUrl = new URL('.well-known/jwks.json', baseUrl);
    this.jwks = createRemoteJWKSet(jwksUrl, {
      cooldownDuration: 5_000,
      ...(options.fetch ? { [customFetch]: options.fetch } : {}),
    });
    this.issuer = options.issuer ?? baseUrl.href.replace(/\/$/, '');
  }

  async check(token: string): Promise<JwtCheck> {
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        algorithms: [...JWT_ALGORITHMS],
        issuer: this.issuer,
        ...(this.options.audience ? { audience: this.options.audience } : {}),
        typ: this.options.typ ?? 'at+jwt',
        requiredClaims: ['iss', 'aud', 'exp', 'jti'],
        currentDate: new Date(this.options.clock.now()),
      });
      return { ok: true, claims: payload as JWTPayload & { jti: string } };
    } catch (error) {
      const code = JOSE_DENIALS[(error as { code?: string }).code ?? ''];
      if (code) return { valid: false, code };
      throw new GatehouseUnavailableError('cannot verify JWT: JWKS unavailable', { cause: error });
    }
  }

  /** Refetches the key set (on `key.rotated`). Failures are retried on the next check. */
  reload(): void {
    this.jwks.reload().catch(() => {});
  }
}
