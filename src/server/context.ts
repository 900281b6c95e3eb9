import type { Clock, RandomSource } from '@gatehouse/core';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AuditSink } from '../audit/audit-sink.js';
import type { OAuthService } from '../oauth/oauth-service.js';
import type { Store } from '../store/store.js';
import type { ApiDirectory } from '../tokens/api-directory.js';
import type { TokenService } from '../tokens/token-service.js';
import type { ChangeFeedHub } from '../verify/verify-runtime.js';
import type { VerifyService } from '../verify/verify-service.js';
import type { ManagementAuth } from './auth.js';
import type { ServerMetrics } from './metrics.js';

/** Server settings after flags, env and config file are merged. */
export interface ServerConfig {
  host: string;
  port: number;
  /** Public base URL (issuer); defaults to the listening URL. */
  issuer?: string | undefined;
  /** Route policy file for forward auth (`serve --policy`). */
  policyFile?: string | undefined;
  dataDir: string;
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  /** Maximum JSON body size in bytes. */
  bodyLimit: number;
  /** Delete audit events older than this; undefined keeps them forever. */
  auditRetentionSeconds?: number | undefined;
  /** PEM certificate and key: serve HTTPS only. */
  tls?: { cert: string; key: string } | undefined;
}

/**
 * Everything a route needs, built once at start-up and passed to every route module.
 * Features add their services here (audit, oauth keys, …) as optional members while they land.
 */
export interface AppContext {
  config: ServerConfig;
  store: Store;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  nodeId: string;
  metrics: Registry;
  /** Core counters and a gauge helper on `metrics`. */
  serverMetrics: ServerMetrics;
  audit: AuditSink;
  apis: ApiDirectory;
  tokens: TokenService;
  verifier: VerifyService;
  auth: ManagementAuth;
  /** Signing keys, JWT issue/verify, OAuth grants. */
  oauth: OAuthService;
  /** Resolves once the server knows its own base URL (after listen). */
  baseUrl(): string;
  /** Work to run on shutdown, in reverse registration order. */
  onClose(fn: () => Promise<void> | void): void;
  /** The change feed as this process applies it: `onChange` for modules that react (OAuth keys, audit…). */
  feed?: ChangeFeedHub;
}
