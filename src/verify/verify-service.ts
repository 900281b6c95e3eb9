import {
  type ApiRecord,
  type Clock,
  hashToken,
  type RejectedToken,
  staticCheck,
  type TokenRecord,
  type TokenVerifier,
  type VerifiedToken,
  type VerifyCode,
  type VerifyOptions,
  type VerifyResult,
} from '@gatehouse/core';
import type { AuditSink } from '../audit/audit-sink.js';
import type { Store } from '../store/store.js';
import { findTokenByHash } from '../store/tokens-repo.js';
import type { ApiDirectory } from '../tokens/api-directory.js';
import type { TokenRateLimiter } from './rate-limiter.js';
import type { RevocationReceipt } from './subscriber-registry.js';
import { precheckToken } from './token-precheck.js';
import type { UsageTracker } from './usage-tracker.js';
import type { VerifyCache } from './verify-cache.js';

export type { RevocationReceipt } from './subscriber-registry.js';

export interface ServiceVerifyOptions extends VerifyOptions {
  /** Record a usage audit event (default true). Management authentication turns it off. */
  audit?: boolean;
  /** Who asked (the verifying caller's token id), for the audit event. */
  actor?: string | null;
}

/** The in-process verifier used by the server's routes, the proxy and forward auth. */
export interface VerifyService extends TokenVerifier {
  verify(token: string, options?: ServiceVerifyOptions): Promise<VerifyResult>;
  /**
   * Waits until every live verifier has applied change `seq` (or `timeoutMs` passes) and reports
   * who confirmed. `seq` null means nothing changed (an idempotent repeat): an immediate receipt.
   */
  awaitApplied?(seq: number | null, timeoutMs: number): Promise<RevocationReceipt>;
}

export interface CachedVerifyServiceDeps {
  store: Store;
  apis: ApiDirectory;
  clock: Clock;
  audit: AuditSink;
  cache: VerifyCache;
  usage: UsageTracker;
  limiter: TokenRateLimiter;
  receipts?: { awaitApplied(seq: number | null, timeoutMs: number): Promise<RevocationReceipt> };
  /** Test hook: runs between a store read and its cache fill (to widen the fill race on purpose). */
  beforeFill?: (hash: string) => Promise<void>;
}

/**
 * Cached verification. Order: shape and checksum (no hashing, no I/O; {@link precheckToken}) →
 * API by prefix (memory) →
 * hash → cache, or one store read shared by concurrent misses → revoked, expired, IP, scopes →
 * uses (reserved exactly) → rate limit. The cache is kept exact by the feed tailer, never by TTL.
 * @example const result = await verifier.verify(secret, { scopes: ['orders:read'], ip: '10.0.0.1' });
 */
export class CachedVerifyService implements VerifyService {
  private readonly inflight = new Map<string, Promise<TokenRecord | undefined>>();
  // Cached records are immutable (a change replaces them), so their success answer is built once:
  // the ISO date alone costs more than the cache lookup.
  private readonly answers = new WeakMap<TokenRecord, VerifiedToken>();
  /** Prefix → API, so a cached verify needs no await. Cleared on `api.updated`. */
  private readonly prefixes = new Map<string, ApiRecord>();

  constructor(private readonly deps: CachedVerifyServiceDeps) {}

  /**
   * Cached tokens without a rate limit are decided synchronously (one resolved promise, no
   * awaits); misses, unknown prefixes and rate limits take the async path.
   */
  verify(token: string, options: ServiceVerifyOptions = {}): Promise<VerifyResult> {
    const prefix = precheckToken(token);
    if (prefix === null)
      return Promise.resolve(this.finish(reject('MALFORMED'), null, null, options));
    const api = this.prefixes.get(prefix);
    if (api === undefined) return this.verifyNewPrefix(token, prefix, options);
    const result = this.verifyWithApi(token, api, options);
    return result instanceof Promise ? result : Promise.resolve(result);
  }

  /** Forgets the prefix → API map (on `api.updated`, after the directory reloaded). */
  forgetApis(): void {
    this.prefixes.clear();
  }

  private async verifyNewPrefix(
    token: string,
    prefix: string,
    options: ServiceVerifyOptions,
  ): Promise<VerifyResult> {
    const api = await this.deps.apis.byPrefix(prefix);
    if (!api) return this.finish(reject('NOT_FOUND'), null, null, options);
    this.prefixes.set(prefix, api);
    return this.verifyWithApi(token, api, options);
  }

  private verifyWithApi(
    token: string,
    api: ApiRecord,
    options: ServiceVerifyOptions,
  ): VerifyResult | Promise<VerifyResult> {
    if (options.api !== undefined && api.name !== options.api)
      return this.finish(reject('NOT_FOUND'), null, null, options);
    const hash = hashToken(token);
    const entry = this.deps.cache.get(hash);
    if (entry === undefined) return this.load(hash).then((r) => this.decide(r, api, options));
    return this.decide(entry.found ? entry.record : undefined, api, options);
  }

  private decide(
    record: TokenRecord | undefined,
    api: ApiRecord,
    options: ServiceVerifyOptions,
  ): VerifyResult | Promise<VerifyResult> {
    if (!record || record.apiId !== api.id)
      return this.finish(reject('NOT_FOUND'), null, api.name, options);
    const now = this.deps.clock.now();
    const { usage } = this.deps;
    const denial = staticCheck({
      token: record.maxUses === null ? record : { ...record, uses: usage.usesOf(record) },
      now,
      requiredScopes: options.scopes,
      ip: options.ip,
    });
    if (denial) return this.finish(denial, record, api.name, options);
    // Reserve synchronously, right after the check: concurrent verifies can never overshoot.
    if (!usage.reserve(record))
      return this.finish(reject('USAGE_EXCEEDED'), record, api.name, options);
    let answer = this.answers.get(record);
    if (answer === undefined || answer.api !== api.name) {
      answer = accept(record, api.name);
      this.answers.set(record, answer);
    }
    const result: VerifiedToken = { ...answer };
    if (record.rateLimit !== null) return this.rateLimited(record, api, result, now, options);
    usage.used(record.id, now);
    return this.finish(result, record, api.name, options);
  }

  private async rateLimited(
    record: TokenRecord,
    api: ApiRecord,
    result: VerifiedToken,
    now: number,
    options: ServiceVerifyOptions,
  ): Promise<VerifyResult> {
    const limit = record.rateLimit!;
    const decision = await this.deps.limiter.consume(record.id, limit, now);
    if (!decision.allowed) {
      this.deps.usage.refund(record);
      const retryAfterSeconds = Math.max(1, Math.ceil((decision.resetAt - now) / 1000));
      return this.finish(
        { valid: false, code: 'RATE_LIMITED', retryAfterSeconds },
        record,
        api.name,
        options,
      );
    }
    result.rateLimit = {
      limit: decision.limit,
      remaining: decision.remaining,
      resetAt: new Date(decision.resetAt).toISOString(),
    };
    this.deps.usage.used(record.id, now);
    return this.finish(result, record, api.name, options);
  }

  awaitApplied(seq: number | null, timeoutMs: number): Promise<RevocationReceipt> {
    if (!this.deps.receipts) return Promise.resolve({ verifiers: 0, confirmed: 0, maxLagMs: null });
    return this.deps.receipts.awaitApplied(seq, timeoutMs);
  }

  /** One store read per hash at a time; concurrent misses share it. */
  private load(hash: string): Promise<TokenRecord | undefined> {
    let pending = this.inflight.get(hash);
    if (!pending) {
      pending = this.readAndFill(hash).finally(() => this.inflight.delete(hash));
      this.inflight.set(hash, pending);
    }
    return pending;
  }

  /**
   * Reads and fills. A refused fill means a change to this hash was applied while the read was in
   * flight, so the read may predate it: read again rather than answer from it.
   */
  private async readAndFill(hash: string): Promise<TokenRecord | undefined> {
    const { cache, store } = this.deps;
    for (;;) {
      const startedAt = cache.appliedSeq;
      const record = await findTokenByHash(store.db, hash);
      await this.deps.beforeFill?.(hash);
      if (cache.fill(hash, record, startedAt)) return record;
    }
  }

  private finish(
    result: VerifyResult,
    record: TokenRecord | null,
    api: string | null,
    options: ServiceVerifyOptions,
  ): VerifyResult {
    if (options.audit !== false) {
      this.deps.audit.record({
        type: result.valid ? 'token.verified' : 'token.rejected',
        tokenId: record?.id ?? null,
        subject: record?.subject ?? null,
        api,
        actor: options.actor ?? null,
        ip: options.ip ?? null,
        result: result.valid ? 'VALID' : result.code,
      });
    }
    return result;
  }
}

function reject(code: VerifyCode): RejectedToken {
  return { valid: false, code };
}

/** The success answer, with the extra fields caching verifiers need. */
export function accept(record: TokenRecord, api: string): VerifiedToken {
  return {
    valid: true,
    tokenId: record.id,
    api,
    subject: record.subject,
    scopes: record.scopes,
    expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
    metadata: record.metadata,
    version: record.version,
    cacheable: record.rateLimit === null && record.maxUses === null,
    ipAllowlist: record.ipAllowlist,
  };
}
