import {
  type Clock,
  staticCheck,
  type TokenRecord,
  type VerifyOptions,
  type VerifyResult,
} from '@gatehouse/core';
import { findApi } from '../store/apis-repo.js';
import { isJwtRevoked } from '../store/keys-repo.js';
import type { Store } from '../store/store.js';
import { findTokenById } from '../store/tokens-repo.js';
import { type AccessTokenClaims, scopesOfClaim, verifyAccessTokenJwt } from './jwt-verify.js';
import type { KeyRing } from './key-ring.js';

/** A verified JWT and the token record it stands for. */
export interface JwtIdentity {
  claims: AccessTokenClaims;
  /** The record of a `jwt` kind token (id = jti), or the client token of a client-credentials JWT. */
  record: TokenRecord;
  apiName: string;
  /** `jwt`: a token created with kind jwt; `client_credentials`: minted by `POST /oauth/token`. */
  origin: 'jwt' | 'client_credentials';
}

export type JwtTokenCheck =
  | { valid: true; identity: JwtIdentity; result: VerifyResult & { valid: true } }
  | { valid: false; result: VerifyResult & { valid: false }; claims?: AccessTokenClaims };

export interface JwtTokenCheckOptions {
  store: Store;
  keys: KeyRing;
  clock: Clock;
  issuer: string;
}

/**
 * Full server-side verification of a Gatehouse JWT: signature and claims, then the store — the
 * `jwt` kind record (revoked? expired? IP? scopes? uses?), or for a client-credentials JWT its
 * client token (still active?) and the JWT revocation list. `aud` must name the record's API.
 * @example const check = await checkJwtToken(jwt, { scopes: ['orders:read'] }, { store, keys, clock, issuer });
 */
export async function checkJwtToken(
  token: string,
  verify: VerifyOptions,
  options: JwtTokenCheckOptions,
): Promise<JwtTokenCheck> {
  const jwt = await verifyAccessTokenJwt(token, options);
  if (!jwt.ok) return deny(jwt.code);
  const { claims } = jwt;
  const db = options.store.db;
  const now = options.clock.now();
  const own = await findTokenById(db, claims.jti);
  const origin = own ? 'jwt' : 'client_credentials';
  const record = own ?? (await findTokenById(db, claims.client_id));
  if (!record || (own && (own.kind !== 'jwt' || claims.client_id !== own.id)))
    return deny('NOT_FOUND', claims);
  const api = await findApi(db, record.apiId);
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!api || !audiences.includes(api.name)) return deny('MALFORMED', claims);
  if (verify.api !== undefined && verify.api !== api.name) return deny('NOT_FOUND', claims);
  let scopes = record.scopes;
  let expiresAt = record.expiresAt;
  if (origin === 'client_credentials') {
    // The client token must still be live: revoking it ends every access token minted from it.
    const clientDenied = staticCheck({ token: { ...record, maxUses: null }, now });
    if (clientDenied) return deny(clientDenied.code, claims);
    if (await isJwtRevoked(db, claims.jti)) return deny('REVOKED', claims);
    scopes = scopesOfClaim(claims.scope);
    expiresAt = claims.exp * 1000;
  }
  const denied = staticCheck({
    token: {
      ...record,
      scopes,
      expiresAt,
      ...(origin === 'client_credentials' ? { maxUses: null } : {}),
    },
    now,
    requiredScopes: verify.scopes,
    ip: verify.ip,
  });
  if (denied) return { valid: false, result: denied, claims };
  return {
    valid: true,
    identity: { claims, record, apiName: api.name, origin },
    result: {
      valid: true,
      tokenId: record.id,
      api: api.name,
      subject: record.subject,
      scopes,
      expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
      metadata: record.metadata,
    },
  };
}

function deny(
  code: (VerifyResult & { valid: false })['code'],
  claims?: AccessTokenClaims,
): JwtTokenCheck {
  return claims
    ? { valid: false, result: { valid: false, code }, claims }
    : { valid: false, result: { valid: false, code } };
}
