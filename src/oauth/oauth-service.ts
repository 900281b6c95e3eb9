import {
  type ApiRecord,
  type Clock,
  newId,
  type RandomSource,
  type TokenRecord,
  type VerifyOptions,
} from '@gatehouse/core';
import type { Kysely } from 'kysely';
import { appendChange } from '../store/changes-repo.js';
import { insertJwtRevocation } from '../store/keys-repo.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { issueJwtToken, signAccessToken } from './jwt-issue.js';
import { checkJwtToken, type JwtTokenCheck } from './jwt-token-check.js';
import { type JwtCheck, verifyAccessTokenJwt } from './jwt-verify.js';
import { KeyRing } from './key-ring.js';
import type { MasterKey } from './master-key.js';
import type { SigningAlgorithm } from './signing-algorithms.js';

/** Default lifetime of client-credentials access tokens: 15 minutes. */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 900;

export interface OAuthServiceOptions {
  store: Store;
  clock: Clock;
  random: RandomSource;
  masterKey: MasterKey;
  /** The issuer URL (`iss`); resolved per call because the listening URL is known only after start. */
  issuer: () => string;
  algorithm?: SigningAlgorithm;
  accessTokenTtlSeconds?: number;
  keyCacheTtlMs?: number;
}

/** A client-credentials access token, as the token endpoint returns it. */
export interface IssuedAccessToken {
  accessToken: string;
  jti: string;
  expiresIn: number;
  scopes: string[];
}

/**
 * Everything OAuth in one place: the key ring, issuing and checking Gatehouse JWTs, and revoking
 * JWTs that have no record. Routes and the token service use it; it has no HTTP knowledge.
 * @example
 * const oauth = new OAuthService({ store, clock, random, masterKey: loadMasterKey({ env: process.env, dataDir }), issuer: () => url });
 * new TokenService({ …, jwtIssuer: oauth.jwtIssuer });
 */
export class OAuthService {
  readonly keys: KeyRing;

  constructor(private readonly options: OAuthServiceOptions) {
    this.keys = new KeyRing({
      store: options.store,
      masterKey: options.masterKey.key,
      clock: options.clock,
      random: options.random,
      ...(options.algorithm ? { algorithm: options.algorithm } : {}),
      ...(options.keyCacheTtlMs !== undefined ? { cacheTtlMs: options.keyCacheTtlMs } : {}),
    });
  }

  issuer(): string {
    return this.options.issuer().replace(/\/+$/, '');
  }

  /** The signer the token service calls for `POST /v1/tokens {kind: "jwt"}`. */
  readonly jwtIssuer = {
    issue: (token: TokenRecord, api: ApiRecord): Promise<string> =>
      issueJwtToken({ keys: this.keys, issuer: () => this.issuer() }, { ...token, api: api.name }),
  };

  /**
   * Mints an RFC 9068 access token for a client token (client-credentials grant). It lives
   * `accessTokenTtlSeconds` at most, and never beyond the client token's own expiry.
   */
  async issueClientCredentials(
    client: TokenRecord,
    apiName: string,
    scopes: string[],
  ): Promise<IssuedAccessToken> {
    const now = this.options.clock.now();
    const ttl = (this.options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS) * 1000;
    const expiresAt = Math.min(now + ttl, client.expiresAt ?? Number.POSITIVE_INFINITY);
    const jti = newId('token', this.options.random);
    const accessToken = await signAccessToken(this.keys, {
      issuer: this.issuer(),
      audience: apiName,
      jti,
      clientId: client.id,
      subject: client.subject,
      scopes,
      issuedAt: now,
      expiresAt,
    });
    return {
      accessToken,
      jti,
      expiresIn: Math.max(0, Math.floor(expiresAt / 1000) - Math.floor(now / 1000)),
      scopes,
    };
  }

  /** Signature and claims only (no store lookup); audience is checked later against the record. */
  checkSignature(token: string): Promise<JwtCheck> {
    return verifyAccessTokenJwt(token, {
      keys: this.keys,
      clock: this.options.clock,
      issuer: this.issuer(),
    });
  }

  /** Full server-side verification of a Gatehouse JWT (signature, claims, record, revocation). */
  verifyJwt(token: string, verify: VerifyOptions = {}): Promise<JwtTokenCheck> {
    return checkJwtToken(token, verify, {
      store: this.options.store,
      keys: this.keys,
      clock: this.options.clock,
      issuer: this.issuer(),
    });
  }

  /**
   * Puts a record-less JWT (client-credentials access token) on the revocation list and appends
   * `jwt.revoked` in the same transaction. Idempotent: returns the change seq, or null if it was
   * already revoked. `inTransaction` lets the caller add its audit event to the same commit.
   */
  async revokeRecordlessJwt(
    entry: { jti: string; clientId: string; apiId: string | null; exp: number },
    inTransaction?: (tx: Kysely<Database>) => Promise<void>,
  ): Promise<number | null> {
    const { store, clock } = this.options;
    const now = clock.now();
    return store.write(async (tx) => {
      const inserted = await insertJwtRevocation(tx, {
        jti: entry.jti,
        clientId: entry.clientId,
        expiresAt: entry.exp * 1000,
        revokedAt: now,
      });
      if (!inserted) return null;
      const seq = await appendChange(tx, store.dialect, {
        type: 'jwt.revoked',
        tokenId: entry.jti,
        tokenHash: null,
        apiId: entry.apiId,
        payload: { jti: entry.jti, clientId: entry.clientId, expiresAt: entry.exp * 1000 },
        time: now,
      });
      await inTransaction?.(tx);
      return seq;
    });
  }
}
