import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/**
 * Every audit event type. Management events are written in the transaction of the change they
 * describe; usage events (`token.verified`, `token.rejected`, `request.*`) are batched.
 */
export const AUDIT_EVENT_TYPES = [
  'token.created',
  'token.updated',
  'token.revoked',
  'token.rotated',
  'token.verified',
  'token.rejected',
  'request.proxied',
  'request.denied',
  'api.created',
  'api.updated',
  'key.rotated',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'leak.reported',
  'alert.raised',
  'alert.acknowledged',
] as const;

/** Audit event types. Management events are written in the transaction of the change they describe. */
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/**
 * What a caller hands to the audit log. Never a secret: token values are never put here, not even
 * malformed ones (use `tokenFingerprint` from core in `details` at most).
 */
export interface AuditEventInput {
  type: AuditEventType;
  /** Epoch ms; defaults to the sink's clock. */
  time?: number;
  tokenId?: string | null;
  subject?: string | null;
  /** API name. */
  api?: string | null;
  /** Management token id that acted, or the verifying caller's token id. */
  actor?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  method?: string | null;
  path?: string | null;
  status?: number | null;
  /** `VALID` or a verify code. */
  result?: string | null;
  latencyMs?: number | null;
  details?: Record<string, unknown> | null;
}

/** Where audit events go. */
export interface AuditSink {
  /** Usage events: queued and flushed in batches; never blocks or throws on the request path. */
  record(event: AuditEventInput): void;
  /** Management events: written inside the caller's write transaction. */
  recordInTransaction(tx: Kysely<Database>, event: AuditEventInput): Promise<void>;
  /** Writes everything queued (called on shutdown). */
  flush(): Promise<void>;
}

/** An audit sink that drops everything (tests of unrelated features, benchmarks with audit off). */
export const noopAuditSink: AuditSink = {
  record: () => {},
  recordInTransaction: async () => {},
  flush: async () => {},
};
