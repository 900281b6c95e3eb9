import {
  type Clock,
  hashToken,
  parseToken,
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

/** What `revoke` with `wait: true` reports. */
export interface RevocationReceipt {
  verifiers: number;
  confirmed: number;
  maxLagMs: number | null;
  /** Subscribers that had not confirmed when the wait ended. */
  pending?: string[];
}

/**
 * Store-backed verification. Order: shape and checksum (no hashing, no I/O) → lookup by hash →
 * API filter → revoked, expired, IP, scopes, uses.
 * @example const result = await verifier.verify(secret, { scopes: ['orders:read'], ip: '10.0.0.1' });
 */
export class StoreVerifyService implements VerifyService {
  constructor(
    private readonly deps: { store: Store; apis: ApiDirectory; clock: Clock; audit: AuditSink },
  ) {}

  async verify(token: string, options: ServiceVerifyOptions = {}): Promise<VerifyResult> {
    const parsed = parseToken(token);
    if (!parsed.ok) return this.finish(reject('MALFORMED'), null, null, options);
    const api = await this.deps.apis.byPrefix(parsed.prefix);
    if (!api || (options.api !== undefined && api.name !== options.api))
      return this.finish(reject('NOT_FOUND'), null, null, options);
    const record = await findTokenByHash(this.deps.store.db, hashToken(token));
    if (!record || record.apiId !== api.id)
      return this.finish(reject('NOT_FOUND'), null, api.name, options);
    const denial = staticCheck({
      token: record,
      now: this.deps.clock.now(),
      requiredScopes: options.scopes,
      ip: options.ip,
    });
    if (denial) return this.finish(denial, record, api.name, options);
    return this.finish(accept(record, api.name), record, api.name, options);
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
