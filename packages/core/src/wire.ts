/**
 * JSON shapes on the wire that both the server (producer) and the SDK (consumer) name. One
 * definition, so the two cannot drift apart.
 */

/** One change-feed entry (docs/architecture.md). Never holds a secret. */
export interface ChangeJson {
  seq: number;
  type: string;
  tokenId: string | null;
  tokenHash: string | null;
  apiId: string | null;
  /** ISO 8601. */
  time: string;
  data: Record<string, unknown>;
}

/** An audit event as `GET /v1/audit` returns it; absent fields are omitted. */
export interface AuditEventJson {
  id: string;
  /** ISO 8601. */
  time: string;
  type: string;
  tokenId?: string;
  subject?: string;
  api?: string;
  actor?: string;
  ip?: string;
  userAgent?: string;
  method?: string;
  path?: string;
  status?: number;
  result?: string;
  latencyMs?: number;
  details?: Record<string, unknown>;
  nodeId: string;
}
