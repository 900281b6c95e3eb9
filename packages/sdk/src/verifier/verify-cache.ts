import type { VerifiedToken, VerifyCode } from '@gatehouse/core';
import { LRUCache } from 'lru-cache';
import type { ChangeJson } from '../client/types.js';

/** A cached identity: what a later request needs to decide scopes, expiry and IP locally. */
export interface CachedIdentity {
  tokenId: string;
  api: string;
  subject: string | null;
  scopes: string[];
  expiresAt: number | null;
  metadata: Record<string, unknown>;
  ipAllowlist: string[] | null;
  /** Local clock time the server answered. */
  fetchedAt: number;
  /** The success answer, built and frozen once per entry so cache hits allocate nothing. */
  accepted: Readonly<VerifiedToken>;
}

export interface CachedDenial {
  code: VerifyCode;
  fetchedAt: number;
}

/** Denials that stay true until a change event says otherwise, so they can be cached. */
export const CACHEABLE_DENIALS: ReadonlySet<VerifyCode> = new Set([
  'NOT_FOUND',
  'REVOKED',
  'EXPIRED',
]);

// Types that only concern other tokens' creation or signing keys: no cached answer changes.
const NO_INVALIDATION = new Set(['key.rotated']);

/**
 * The remote verifier's cache: identities by key (token hash, or `jti:<id>` for JWTs), a bounded
 * negative cache, and the JWT revocation list, all kept fresh by change events. Guards against the
 * fill race (a verify answer computed before a change but arriving after it) with generations.
 * @example
 * const gen = cache.begin(); const answer = await server.verify(token);
 * cache.fill(key, identity, gen); // skipped if a change touched key/tokenId since begin()
 */
export class VerifyCache {
  private readonly positive: LRUCache<string, CachedIdentity>;
  private readonly negative: LRUCache<string, CachedDenial>;
  private readonly keyByTokenId: LRUCache<string, string>;
  private readonly revokedJtis: LRUCache<string, true>;
  // key or tokenId → generation of the change that last touched it; bounded: old races are over.
  private readonly touched = new LRUCache<string, number>({ max: 10_000 });
  // Same, for `token.created`: it only makes a NOT_FOUND stale, never an identity.
  private readonly created = new LRUCache<string, number>({ max: 10_000 });
  private generation = 0;
  private clearedAt = 0;

  constructor(options: { max?: number; negativeMax?: number } = {}) {
    const max = options.max ?? 10_000;
    this.positive = new LRUCache({ max });
    this.keyByTokenId = new LRUCache({ max });
    this.negative = new LRUCache({ max: options.negativeMax ?? 10_000 });
    this.revokedJtis = new LRUCache({ max: 100_000 });
  }

  get size(): number {
    return this.positive.size;
  }

  /** Call before asking the server; pass the result to {@link fill}/{@link fillDenial}. */
  begin(): number {
    return this.generation;
  }

  get(key: string): CachedIdentity | undefined {
    return this.positive.get(key);
  }

  getDenial(key: string): CachedDenial | undefined {
    return this.negative.get(key);
  }

  isRevokedJti(jti: string): boolean {
    return this.revokedJtis.has(jti);
  }

  fill(key: string, identity: CachedIdentity, since: number): void {
    if (this.changedSince(since, key, identity.tokenId)) return;
    this.positive.set(key, identity);
    this.keyByTokenId.set(identity.tokenId, key);
    this.negative.delete(key);
  }

  fillDenial(key: string, denial: CachedDenial, since: number): void {
    if (!CACHEABLE_DENIALS.has(denial.code) || this.changedSince(since, key)) return;
    if ((this.created.get(key) ?? -1) > since) return;
    this.negative.set(key, denial);
  }

  /** Applies one change-feed event. Unknown types clear everything: safe over fast. */
  apply(change: ChangeJson): void {
    this.generation += 1;
    if (NO_INVALIDATION.has(change.type)) return;
    const { tokenId, tokenHash } = change;
    if (change.type === 'jwt.revoked' && tokenId) this.revokedJtis.set(tokenId, true);
    if (change.type === 'token.created') {
      // A new token can only turn a NOT_FOUND into something else.
      if (tokenHash) {
        this.negative.delete(tokenHash);
        this.created.set(tokenHash, this.generation);
      } else {
        this.negative.clear();
        this.clearedAt = this.generation;
      }
      return;
    }
    if (change.type.startsWith('token.') || change.type.startsWith('jwt.')) {
      if (!tokenId && !tokenHash) {
        this.clear();
        return;
      }
      if (tokenHash) this.drop(tokenHash);
      if (tokenId) {
        this.drop(`jti:${tokenId}`);
        const key = this.keyByTokenId.get(tokenId);
        if (key) this.drop(key);
        this.touched.set(tokenId, this.generation);
      }
      return;
    }
    this.clear();
  }

  /** Forgets every answer (e.g. after connecting to the feed without a resume point). */
  clear(): void {
    this.generation += 1;
    this.clearedAt = this.generation;
    this.positive.clear();
    this.negative.clear();
    this.keyByTokenId.clear();
  }

  private drop(key: string): void {
    this.positive.delete(key);
    this.negative.delete(key);
    this.touched.set(key, this.generation);
  }

  private changedSince(since: number, ...keys: string[]): boolean {
    if (this.clearedAt > since) return true;
    return keys.some((key) => (this.touched.get(key) ?? -1) > since);
  }
}
