import type { Generated } from 'kysely';

/**
 * Table shapes as both dialects return them. Times are epoch milliseconds (BIGINT on PostgreSQL,
 * parsed to number); JSON is stored as TEXT so both dialects share every query.
 */
export interface ApisTable {
  id: string;
  name: string;
  prefix: string;
  policy: string;
  created_at: number;
  updated_at: number;
}

export interface TokensTable {
  id: string;
  api_id: string;
  kind: string;
  hash: string | null;
  name: string;
  subject: string | null;
  scopes: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  revoke_reason: string | null;
  ip_allowlist: string | null;
  rate_limit: string | null;
  max_uses: number | null;
  uses: number;
  metadata: string;
  last_used_at: number | null;
  rotated_from: string | null;
  rotated_to: string | null;
  version: number;
}

/** The change feed: one row per mutation that can change a verify result, in commit order. */
export interface ChangesTable {
  seq: Generated<number>;
  type: string;
  token_id: string | null;
  token_hash: string | null;
  api_id: string | null;
  payload: string;
  created_at: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

/** A JWT signing key. `private_key` is the AES-256-GCM envelope of the private JWK, never plaintext. */
export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_key: string;
  created_at: number;
  /** Set when a newer key took over signing. */
  retired_at: number | null;
  /** The latest `exp` of any token signed with this key; a retired key leaves the JWKS after it. */
  expires_at: number | null;
}

/** Revoked JWTs that have no token record (client-credentials access tokens), kept until `exp`. */
export interface JwtRevocationsTable {
  jti: string;
  client_id: string | null;
  expires_at: number;
  revoked_at: number;
}

/** One audit event. `node_seq`/`prev_hash`/`hash` chain it to the previous event of its node. */
export interface AuditEventsTable {
  id: string;
  node_id: string;
  node_seq: number;
  created_at: number;
  type: string;
  actor: string | null;
  token_id: string | null;
  subject: string | null;
  api: string | null;
  ip: string | null;
  user_agent: string | null;
  method: string | null;
  path: string | null;
  status: number | null;
  result: string | null;
  latency_ms: number | null;
  /** Canonical JSON (sorted keys) exactly as hashed. */
  details: string | null;
  prev_hash: string;
  hash: string;
}

/** The newest event of each node's audit chain (the row writers lock to extend it). */
export interface AuditChainHeadsTable {
  node_id: string;
  seq: number;
  hash: string;
  updated_at: number;
}

/** The last event retention deleted per node: where verification of the remaining chain starts. */
export interface AuditCheckpointsTable {
  node_id: string;
  seq: number;
  hash: string;
  pruned_at: number;
}

/** A change-feed subscriber (a node's own cache tailer, or an SSE client) and what it applied. */
export interface FeedSubscribersTable {
  id: string;
  /** `node` (a server's own cache) or `sse` (a remote verifier). */
  kind: string;
  /** Shown in revocation receipts (`?subscriber=` name, or `node:<nodeId>`). */
  name: string;
  /** The server node that holds the subscription. */
  node_id: string;
  applied_seq: number;
  applied_at: number;
  /** Refreshed while the subscription is alive; stale rows are not counted as live. */
  seen_at: number;
  connected_at: number;
}

export interface Database {
  apis: ApisTable;
  tokens: TokensTable;
  changes: ChangesTable;
  meta: MetaTable;
  signing_keys: SigningKeysTable;
  jwt_revocations: JwtRevocationsTable;
  audit_events: AuditEventsTable;
  audit_chain_heads: AuditChainHeadsTable;
  audit_checkpoints: AuditCheckpointsTable;
  feed_subscribers: FeedSubscribersTable;
}
