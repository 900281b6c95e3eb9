import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AuditSink } from '../audit/audit-sink.js';
import type { AuthorizationOutcome } from './authorize-request.js';

/**
 * Writes the one audit event every gateway request produces: `request.proxied` when it reached
 * the upstream (with the upstream's status), `request.denied` otherwise. The path is recorded
 * without its query string, which may carry data the audit log has no business keeping.
 * @example auditProxyOutcome(audit, { outcome, req, status: 200, started, ip });
 */
export function auditProxyOutcome(
  audit: AuditSink,
  input: {
    outcome: AuthorizationOutcome;
    req: IncomingMessage;
    status: number;
    started: number;
    ip: string | undefined;
    error?: string | undefined;
  },
): void {
  const { outcome, req } = input;
  const token = outcome.kind === 'allowed' ? outcome.token : null;
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const details: Record<string, unknown> = {};
  if (outcome.pattern) details.route = outcome.pattern;
  if (input.error) details.error = input.error;
  audit.record({
    type: outcome.kind === 'denied' ? 'request.denied' : 'request.proxied',
    tokenId: token?.tokenId ?? null,
    subject: token?.subject ?? null,
    api: token?.api ?? null,
    ip: input.ip ?? null,
    userAgent: req.headers['user-agent'] ?? null,
    method: req.method ?? null,
    path: q === -1 ? target : target.slice(0, q),
    status: input.status,
    result: outcome.kind === 'denied' ? outcome.reason : token ? 'VALID' : 'PUBLIC',
    latencyMs: Math.round((performance.now() - input.started) * 1000) / 1000,
    details: Object.keys(details).length > 0 ? details : null,
  });
}
