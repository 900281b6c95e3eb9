import {
  type Clock,
  hashToken,
  parseToken,
  systemClock,
  type TokenVerifier,
  type VerifyOptions,
  type VerifyResult,
} from '@gatehouse/core';
import {
  type AuditReporter,
  type AuditReporterOptions,
  createAuditReporter,
} from '../audit/audit-reporter.js';
import type { ChangeJson, VerifyResponseJson } from '../client/types.js';
import { GatehouseApiError, GatehouseUnavailableError } from '../errors.js';
import { ChangeFeed, type ChangeFeedOptions, type FeedStatus } from '../feed/change-feed.js';
import { type ConnectionOptions, HttpTransport } from '../http.js';
import { type JwtOptions, JwtVerifier, looksLikeJwt } from './jwt-verifier.js';
import { decideLocally, identityFrom, resultFrom } from './local-decision.js';
import { VerifyCache } from './verify-cache.js';

export interface RemoteVerifierOptions extends ConnectionOptions {
  /**
   * How old a cached answer may be while the change feed is not connected. Default 0: without a
   * live feed every verification asks the server, and an unreachable server is an error (→ 503).
   */
  maxStalenessMs?: number;
  /** Cached identities (LRU). Default 10 000. */
  cacheSize?: number;
  /** Cached NOT_FOUND/REVOKED/EXPIRED answers (LRU). Default 10 000. */
  negativeCacheSize?: number;
  /** Re-ask the server after this long even with a live feed (a safety net). Default 10 min. */
  maxEntryAgeMs?: number;
  /** Subscriber name shown in revocation receipts. */
  subscriber?: string;
  /** Change-feed tuning, or `false` to run without a feed (then only `maxStalenessMs` bounds the cache). */
  changeFeed?: false | Pick<ChangeFeedOptions, 'heartbeatTimeoutMs' | 'reconnectDelayMs' | 'ack'>;
  /** Local JWT verification settings, or `false` to treat JWTs as malformed. */
  jwt?: JwtOptions | false;
  /**
   * Where middleware using this verifier reports each request (`POST /v1/audit/events`, batched),
   * so cached decisions are audited too. Default on; `false` turns it off.
   */
  audit?: false | Pick<AuditReporterOptions, 'flushMs' | 'batchSize' | 'capacity' | 'onError'>;
  /** Called after each change is applied (tests, metrics). */
  onChange?(change: ChangeJson): void;
  onFeedStatus?(status: FeedStatus): void;
  clock?: Clock;
}

export interface VerifierStats {
  hits: number;
  misses: number;
  cached: number;
  connected: boolean;
  lastSeq: number | undefined;
}

/** A {@link TokenVerifier} backed by a Gatehouse server, with a feed-fresh local cache. */
export interface RemoteVerifier extends TokenVerifier {
  /** The audit reporter on this verifier's connection (absent with `audit: false`). */
  readonly audit: AuditReporter | undefined;
  /** Resolves once the change feed is connected (rejects after `timeoutMs`, default 10 s). */
  ready(options?: { timeoutMs?: number }): Promise<void>;
  close(): Promise<void>;
  stats(): VerifierStats;
}

/**
 * Creates a remote verifier: misses ask `POST /v1/verify`, cacheable answers are kept by token
 * hash and decided locally (scopes, expiry, IP), change events drop them, JWTs are checked against
 * the JWKS. Throws `GatehouseUnavailableError` (never a denial) when no fresh answer is possible.
 * @example
 * const verifier = createVerifier({ url: 'http://127.0.0.1:8080', token: process.env.GATEHOUSE_TOKEN! });
 * await verifier.ready();
 * const result = await verifier.verify(bearer, { scopes: ['orders:read'], ip: req.ip });
 */
export function createVerifier(options: RemoteVerifierOptions): RemoteVerifier {
  return new CachingRemoteVerifier(options);
}

class CachingRemoteVerifier implements RemoteVerifier {
  readonly audit: AuditReporter | undefined;
  private readonly http: HttpTransport;
  private readonly clock: Clock;
  private readonly cache: VerifyCache;
  private readonly feed: ChangeFeed | undefined;
  private readonly jwt: JwtVerifier | undefined;
  private readonly maxStalenessMs: number;
  private readonly maxEntryAgeMs: number;
  private live = false;
  private downSince: number;
  private hits = 0;
  private misses = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly options: RemoteVerifierOptions) {
    this.http = new HttpTransport(options);
    this.audit =
      options.audit === false
        ? undefined
        : createAuditReporter({
            url: options.url,
            token: options.token,
            timeoutMs: options.timeoutMs,
            fetch: options.fetch,
            ...options.audit,
          });
    this.clock = options.clock ?? systemClock;
    this.maxStalenessMs = nonNegative(options.maxStalenessMs ?? 0, 'maxStalenessMs');
    this.maxEntryAgeMs = nonNegative(options.maxEntryAgeMs ?? 600_000, 'maxEntryAgeMs');
    this.cache = new VerifyCache({
      max: options.cacheSize,
      negativeMax: options.negativeCacheSize,
    });
    this.downSince = this.clock.now();
    if (options.jwt !== false) {
      this.jwt = new JwtVerifier(this.http.baseUrl, {
        ...options.jwt,
        clock: this.clock,
        fetch: options.fetch,
      });
    }
    if (options.changeFeed !== false) {
      this.feed = new ChangeFeed({
        ...options,
        ...options.changeFeed,
        onChange: (change) => this.applyChange(change),
        onStatus: (status) => this.onStatus(status),
      });
      this.feed.start();
    }
  }

  async verify(token: string, options: VerifyOptions = {}): Promise<VerifyResult> {
    if (parseToken(token).ok) return this.verifyKey(token, hashToken(token), options);
    if (this.jwt && looksLikeJwt(token)) {
      const check = await this.jwt.check(token);
      if (!('ok' in check)) return check;
      if (this.cache.isRevokedJti(check.claims.jti)) return { valid: false, code: 'REVOKED' };
      return this.verifyKey(token, `jti:${check.claims.jti}`, options);
    }
    // Checked offline: a typo or forgery never costs a network round-trip.
    return { valid: false, code: 'MALFORMED' };
  }

  ready(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.live) return Promise.resolve();
    if (!this.feed) return Promise.reject(new Error('change feed disabled'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== done);
        reject(new GatehouseUnavailableError('change feed did not connect in time'));
      }, options.timeoutMs ?? 10_000);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
    });
  }

  async close(): Promise<void> {
    await this.feed?.close();
    await this.audit?.close();
  }

  stats(): VerifierStats {
    return {
      hits: this.hits,
      misses: this.misses,
      cached: this.cache.size,
      connected: this.live,
      lastSeq: this.feed?.lastSeq,
    };
  }

  private async verifyKey(
    token: string,
    key: string,
    options: VerifyOptions,
  ): Promise<VerifyResult> {
    const identity = this.cache.get(key);
    if (identity && this.usable(identity.fetchedAt)) {
      this.hits += 1;
      return decideLocally(identity, options, this.clock.now());
    }
    const denial = this.cache.getDenial(key);
    if (denial && this.usable(denial.fetchedAt)) {
      this.hits += 1;
      return { valid: false, code: denial.code };
    }
    this.misses += 1;
    const since = this.cache.begin();
    const answer = await this.ask(token, options);
    const fetchedAt = this.clock.now();
    if (answer.valid && answer.cacheable !== false) {
      this.cache.fill(key, identityFrom(answer, fetchedAt), since);
    } else if (!answer.valid) {
      this.cache.fillDenial(key, { code: answer.code, fetchedAt }, since);
    }
    return resultFrom(answer, options);
  }

  private async ask(token: string, options: VerifyOptions): Promise<VerifyResponseJson> {
    const body: { token: string; scopes?: readonly string[]; ip?: string } = { token };
    if (options.scopes && options.scopes.length > 0) body.scopes = options.scopes;
    if (options.ip) body.ip = options.ip;
    try {
      return await this.http.json<VerifyResponseJson>('/v1/verify', { method: 'POST', body });
    } catch (error) {
      if (error instanceof GatehouseApiError && error.status >= 500) {
        throw new GatehouseUnavailableError(`Gatehouse verify failed: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Whether a cached answer may be served: always with a live feed, else within the staleness bound. */
  private usable(fetchedAt: number): boolean {
    const now = this.clock.now();
    if (now - fetchedAt > this.maxEntryAgeMs) return false;
    if (this.live) return true;
    if (this.maxStalenessMs === 0) return false;
    return now - Math.max(fetchedAt, this.downSince) <= this.maxStalenessMs;
  }

  private applyChange(change: ChangeJson): void {
    this.cache.apply(change);
    if (change.type === 'key.rotated') this.jwt?.reload();
    this.options.onChange?.(change);
  }

  private onStatus(status: FeedStatus): void {
    if (status.state === 'connected') {
      // Without a resume point we may have missed changes made before this subscription began.
      if (!status.resumed) this.cache.clear();
      this.live = true;
      for (const waiter of this.waiters.splice(0)) waiter();
    } else if (this.live) {
      this.live = false;
      this.downSince = this.clock.now();
    }
    this.options.onFeedStatus?.(status);
  }
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative number`);
  return value;
}
