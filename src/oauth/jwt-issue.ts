import { SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { ACCESS_TOKEN_TYP, CLOCK_SKEW_SECONDS } from './jwt-profile.js';
import type { KeyRing } from './key-ring.js';

/** What goes into an RFC 9068 access token. Times are epoch milliseconds. */
export interface AccessTokenInput {
  /** `iss`: the server's issuer URL. */
  issuer: string;
  /** `aud`: the name of the API the token is for (e.g. `default`). */
  audience: string;
  /** `jti`: unique token id. For `jwt` kind tokens this is the token record's id. */
  jti: string;
  /** `client_id`: the token id the JWT was issued to (for `jwt` kind tokens, the token itself). */
  clientId: string;
  /** The token's subject (owner); `sub` falls back to `client_id` when null (RFC 9068 §2.2). */
  subject: string | null;
  scopes: readonly string[];
  issuedAt: number;
  expiresAt: number;
}

/** Raised when a JWT cannot be issued as asked (e.g. no expiry); the caller's input is wrong. */
export class JwtIssueError extends Error {
  constructor(
    readonly code: 'expiry_required' | 'expiry_in_past',
    message: string,
  ) {
    super(message);
    this.name = 'JwtIssueError';
  }
}

/**
 * Signs an RFC 9068 access token with the current key and keeps that key published until the
 * token expires. Pass `db` when inside a write transaction.
 * @example const jwt = await signAccessToken(ring, { issuer, audience: 'default', jti, clientId, subject: null, scopes: ['orders:read'], issuedAt: now, expiresAt: now + 900_000 });
 */
export async function signAccessToken(
  ring: KeyRing,
  input: AccessTokenInput,
  options: { db?: Kysely<Database> } = {},
): Promise<string> {
  if (input.expiresAt <= input.issuedAt) {
    throw new JwtIssueError('expiry_in_past', 'a JWT must expire after it is issued');
  }
  const key = await ring.signingKey(options);
  // Seconds, as RFC 7519 NumericDate; exp rounds down so the JWT never outlives its record.
  const exp = Math.floor(input.expiresAt / 1000);
  // Verifiers accept a token up to the skew past exp, so the key must be published that long too.
  await ring.noteTokenExpiry(key.kid, (exp + CLOCK_SKEW_SECONDS) * 1000, options);
  return new SignJWT({
    client_id: input.clientId,
    scope: input.scopes.join(' '),
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ACCESS_TOKEN_TYP })
    .setIssuer(input.issuer)
    .setSubject(input.subject ?? input.clientId)
    .setAudience(input.audience)
    .setJti(input.jti)
    .setIssuedAt(Math.floor(input.issuedAt / 1000))
    .setExpirationTime(exp)
    .sign(key.privateKey);
}

/** The fields of a `jwt` kind token record that go into its JWT. */
export interface JwtTokenFields {
  /** The record id; becomes `jti` and `client_id`. */
  id: string;
  /** API name; becomes `aud`. */
  api: string;
  subject: string | null;
  scopes: readonly string[];
  createdAt: number;
  /** Required: a JWT without `exp` is never issued. */
  expiresAt: number | null;
}

/** What {@link issueJwtToken} needs from the server: the key ring and the issuer URL. */
export interface JwtSigner {
  keys: KeyRing;
  issuer(): string;
}

/**
 * The compact JWS for a `jwt` kind token created through `POST /v1/tokens {kind: "jwt"}`. The
 * token service stores the record with `id` = `jti` and `hash` = null, and returns this string as
 * the token secret (once). Throws {@link JwtIssueError} when the record has no expiry.
 * @example const secret = await issueJwtToken(oauth, { id: record.id, api: 'default', subject, scopes, createdAt, expiresAt }, { db: tx });
 */
export async function issueJwtToken(
  signer: JwtSigner,
  token: JwtTokenFields,
  options: { db?: Kysely<Database> } = {},
): Promise<string> {
  if (token.expiresAt === null) {
    throw new JwtIssueError(
      'expiry_required',
      'jwt kind tokens need an expiry (ttlSeconds or expiresAt)',
    );
  }
  return signAccessToken(
    signer.keys,
    {
      issuer: signer.issuer(),
      audience: token.api,
      jti: token.id,
      clientId: token.id,
      subject: token.subject,
      scopes: token.scopes,
      issuedAt: token.createdAt,
      expiresAt: token.expiresAt,
    },
    options,
  );
}
