import {
  missingScopes,
  type TokenVerifier,
  type VerifyOptions,
  type VerifyResult,
} from '@gatehouse/core';
import type { AuditEventInput, AuditSink } from '../../audit/audit-sink.js';

export interface MemoryToken {
  tokenId: string;
  api: string;
  subject?: string | null;
  scopes: string[];
  /** Answer RATE_LIMITED instead of checking anything else. */
  rateLimited?: boolean;
}

/**
 * A TokenVerifier over a fixed map, for tests of enforcers (proxy, forward auth) that must not
 * depend on the store. Mirrors the contract: unknown → NOT_FOUND, other API → NOT_FOUND, missing
 * scope → INSUFFICIENT_SCOPE. `calls` counts verifications; `failing` makes it throw (a fault).
 * @example const verifier = memoryVerifier({ 'gth_x': { tokenId: 'tok_1', api: 'default', scopes: [] } });
 */
export function memoryVerifier(
  tokens: Record<string, MemoryToken>,
): TokenVerifier & { calls: number; failing: boolean; last?: VerifyOptions } {
  const verifier = {
    calls: 0,
    failing: false,
    last: undefined as VerifyOptions | undefined,
    async verify(token: string, options: VerifyOptions = {}): Promise<VerifyResult> {
      verifier.calls++;
      verifier.last = options;
      if (verifier.failing) throw new Error('verifier unreachable');
      const found = tokens[token];
      if (!found || (options.api !== undefined && found.api !== options.api))
        return { valid: false, code: 'NOT_FOUND' };
      if (found.rateLimited) return { valid: false, code: 'RATE_LIMITED', retryAfterSeconds: 7 };
      const missing = missingScopes(found.scopes, options.scopes ?? []);
      if (missing.length > 0)
        return { valid: false, code: 'INSUFFICIENT_SCOPE', missingScopes: missing };
      return {
        valid: true,
        tokenId: found.tokenId,
        api: found.api,
        subject: found.subject ?? null,
        scopes: found.scopes,
        expiresAt: null,
        metadata: {},
      };
    },
  };
  return verifier;
}

/**
 * An AuditSink keeping usage events in an array.
 * @example const audit = memoryAudit(); …; expect(audit.events).toHaveLength(1);
 */
export function memoryAudit(): AuditSink & { events: AuditEventInput[] } {
  const events: AuditEventInput[] = [];
  return {
    events,
    record: (event) => void events.push(event),
    recordInTransaction: async (_tx, event) => void events.push(event),
    flush: async () => {},
  };
}
