import { performance } from 'node:perf_hooks';
import type { AuditSink } from '../audit/audit-sink.js';
import type { AuthorizationOutcome } from './authorize-request.js';

/**
 * Writes the one audit event every gateway request produces: `request.proxied` when it reached
 * the upstream (with the upstream's status), `request.denied` otherwise. The path is recorded
 * without its query string, which may carry data the audit log has no business keeping.
 * @example auditProxyOutcome(audit, { outcome, method, target, userAgent, status: 200, started, ip });
 */
export function auditProxyOutcome(
  audit: AuditSink,
  input: {
    outcome: AuthorizationOutcome;
    method: string;
    /** The request target; the query string is dropped here. */
    target: string;
    userAgent: string | undefined;
    status: number;
    started: number;
    ip: string | undefined;
    error?: string | undefined;
    /** Set by forward auth, which decides but does not carry the request. */
    via?: 'forward-auth';
  },
): void {
  const { outcome, target } = input;
  const token = outcome.kind === 'allowed' ? outcome.token : null;
  const q = target.indexOf('?');
  const details: Record<string, unknown> = {};
  if (outcome.pattern) details.route = outcome.pattern;
  if (input.error) details.error = input.error;
  if (input.via) details.via = input.via;
  audit.record({
    type: outcome.kind === 'denied' ? 'request.denied' : 'request.proxied',
    tokenId: token?.tokenId ?? null,
    subject: token?.subject ?? null,
    api: token?.api ?? null,
    ip: input.ip ?? null,
    userAgent: input.userAgent ?? null,
    method: input.method,
    path: q === -1 ? target : target.slice(0, q),
    status: input.status,
    result: outcome.kind === 'denied' ? outcome.reason : token ? 'VALID' : 'PUBLIC',
    latencyMs: Math.round((performance.now() - input.started) * 1000) / 1000,
    details: Object.keys(details).length > 0 ? details : null,
  });
}
