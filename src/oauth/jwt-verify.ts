import type { Clock } from '@gatehouse/core';
import { errors, type JWTHeaderParameters, type JWTPayload, jwtVerify } from 'jose';
import { ACCESS_TOKEN_TYP, CLOCK_SKEW_SECONDS } from './jwt-profile.js';
import type { KeyRing } from './key-ring.js';
import { SIGNING_ALGORITHMS } from './signing-algorithms.js';

/** Longest string treated as a possible JWT; longer input is rejected before parsing. */
const MAX_JWT_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Whether a presented credential is shaped like a compact JWS (and so is not an opaque token).
 * @example if (looksLikeJwt(token)) return verifyGatehouseJwt(...);
 */
export function looksLikeJwt(token: string): boolean {
  return token.length <= MAX_JWT_LENGTH && token.startsWith('eyJ') && COMPACT_JWS.test(token);
}

/** Claims of a verified Gatehouse access token. Times in epoch seconds, as in the JWT. */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope: string;
}

/** Why a JWT was refused: `EXPIRED` past `exp` (beyond skew); everything else `MALFORMED`. */
export type JwtCheck =
  | { ok: true; claims: AccessTokenClaims; header: JWTHeaderParameters }
  | { ok: false; code: 'MALFORMED' | 'EXPIRED'; reason: string };

export interface JwtVerifyOptions {
  keys: KeyRing;
  clock: Clock;
  /** Expected `iss`, exactly. */
  issuer: string;
  /** Expected `aud` (any of). Omit only when the caller checks `aud` against the token record. */
  audience?: string | string[] | undefined;
}

/**
 * Verifies a Gatehouse JWT's signature and claims, pinned to EdDSA/ES256, `typ: at+jwt`, a known
 * `kid`, the issuer and audience, with {@link CLOCK_SKEW_SECONDS} of skew. Never throws for a bad
 * token: refusals are results.
 * @example const check = await verifyAccessTokenJwt(jwt, { keys: ring, clock, issuer, audience: 'default' });
 */
export async function verifyAccessTokenJwt(
  token: string,
  options: JwtVerifyOptions,
): Promise<JwtCheck> {
  if (!looksLikeJwt(token)) return { ok: false, code: 'MALFORMED', reason: 'not a compact JWS' };
  const now = options.clock.now();
  try {
    const result = await jwtVerify<AccessTokenClaims>(
      token,
      async (header) => {
        if (typeof header.kid !== 'string')
          throw new errors.JWKSNoMatchingKey('the JWT has no kid');
        const key = await options.keys.verificationKey(header.kid);
        if (!key) throw new errors.JWKSNoMatchingKey('unknown kid');
        // The key's own algorithm decides, never the header: no algorithm confusion.
        if (key.alg !== header.alg)
          throw new errors.JOSEAlgNotAllowed('alg does not match the key');
        return key.publicKey;
      },
      {
        algorithms: [...SIGNING_ALGORITHMS],
        typ: ACCESS_TOKEN_TYP,
        issuer: options.issuer,
        ...(options.audience === undefined ? {} : { audience: options.audience }),
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'],
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(now),
      },
    );
    const claims = result.payload;
    if (claims.iat > Math.floor(now / 1000) + CLOCK_SKEW_SECONDS) {
      return { ok: false, code: 'MALFORMED', reason: 'iat is in the future' };
    }
    if (typeof claims.client_id !== 'string' || typeof claims.scope !== 'string') {
      return { ok: false, code: 'MALFORMED', reason: 'client_id and scope claims are required' };
    }
    if (typeof claims.jti !== 'string' || claims.jti === '') {
      return { ok: false, code: 'MALFORMED', reason: 'jti must be a string' };
    }
    return { ok: true, claims, header: result.protectedHeader };
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      return { ok: false, code: 'EXPIRED', reason: error.message };
    if (error instanceof errors.JOSEError)
      return { ok: false, code: 'MALFORMED', reason: error.message };
    // Anything else (e.g. the store is down while resolving a kid) is a fault, not a denial.
    throw error;
  }
}

/** Space-separated `scope` claim to a list (empty entries dropped). */
export function scopesOfClaim(scope: string): string[] {
  return scope.split(' ').filter((s) => s !== '');
}
