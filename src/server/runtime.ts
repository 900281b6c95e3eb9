import { type Clock, newId, type RandomSource, secureRandom, systemClock } from '@gatehouse/core';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { AuditSink } from '../audit/audit-sink.js';
import { startServerAudit } from '../audit/server-audit.js';
import { withJwtVerification } from '../oauth/jwt-aware-verifier.js';
import { createOAuthRuntime } from '../oauth/oauth-runtime.js';
import { purgeExpiredJwtRevocations } from '../store/keys-repo.js';
import { openStore, type Store } from '../store/store.js';
import { ApiDirectory } from '../tokens/api-directory.js';
import { TokenService } from '../tokens/token-service.js';
import { createVerifyRuntime } from '../verify/verify-runtime.js';
import { buildApp, type GatehouseApp } from './app.js';
import { createManagementAuth } from './auth.js';
import { bootstrapStore } from './bootstrap.js';
import type { AppContext, ServerConfig } from './context.js';
import { createLogger } from './logger.js';
import { createServerMetrics, instrumentVerifier } from './metrics.js';

export interface StartServerOptions extends Partial<ServerConfig> {
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
  /** Called once with the root token when this start bootstrapped an empty store. */
  onRootToken?: (secret: string) => void | Promise<void>;
  /** Use an already open store (tests); it is not closed by `close()`. */
  store?: Store;
  /** Replace the store-backed audit log (benchmarks measure the cost of auditing with a no-op). */
  audit?: AuditSink;
}

export interface RunningServer {
  url: string;
  app: GatehouseApp;
  ctx: AppContext;
  /** Stops accepting, finishes in-flight requests, flushes buffers, closes the store. */
  close(): Promise<void>;
}

const JWT_REVOCATION_PURGE_MS = 60 * 60 * 1000;

export const DEFAULT_CONFIG: ServerConfig = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: '.gatehouse',
  bodyLimit: 64 * 1024,
};

/**
 * Composes the store, services and HTTP app, bootstraps an empty store and starts listening.
 * @example const server = await startServer({ port: 0, dataDir: tmp }); await server.close();
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const config: ServerConfig = { ...DEFAULT_CONFIG, ...definedOnly(options) };
  const clock = options.clock ?? systemClock;
  const random = options.random ?? secureRandom;
  const logger = options.logger ?? createLogger();
  const store =
    options.store ??
    (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  const closers: Array<() => Promise<void> | void> = [];
  const apis = new ApiDirectory(store, clock);
  const registry = new Registry();
  const serverMetrics = createServerMetrics(registry);
  const nodeId = newId('node', random);
  // Registered first so it closes last: everything that records has stopped by then.
  const auditLog = options.audit
    ? { audit: options.audit, close: () => options.audit?.flush() }
    : startServerAudit({
        store,
        clock,
        random,
        nodeId,
        metrics: registry,
        retentionMs:
          config.auditRetentionSeconds === undefined
            ? undefined
            : config.auditRetentionSeconds * 1000,
        onError: (error) =>
          logger.error({ err: error }, 'audit write failed; the batch is kept and retried'),
      });
  const audit = auditLog.audit;
  closers.push(() => auditLog.close());
  // The verification hot path: cache kept exact by the change feed, limiter, usage batcher.
  const verify = createVerifyRuntime({
    store,
    apis,
    clock,
    audit,
    nodeId,
    databaseUrl: config.databaseUrl,
    redisUrl: config.redisUrl,
    onError: (error) => logger.warn({ err: error }, 'verify runtime error'),
  });
  let baseUrl = '';
  const oauth = await createOAuthRuntime({
    store,
    clock,
    random,
    dataDir: config.dataDir,
    logger,
    issuer: () => config.issuer ?? baseUrl,
  });
  // A rotation on another node reaches this one through the feed; the key cache TTL is the backstop.
  verify.onChange((change) => {
    if (change.type === 'key.rotated') oauth.keys.invalidate();
  });
  // JWT revocation entries are only needed until the JWT would have expired anyway.
  const purgeRevocations = setInterval(() => {
    purgeExpiredJwtRevocations(store.db, clock.now()).catch((error: unknown) =>
      logger.warn({ err: error }, 'purging expired JWT revocations failed; will retry'),
    );
  }, JWT_REVOCATION_PURGE_MS);
  purgeRevocations.unref();
  closers.push(() => clearInterval(purgeRevocations));
  const verifier = instrumentVerifier(
    withJwtVerification(verify.verifier, oauth, audit),
    serverMetrics,
  );
  serverMetrics.gauge('gatehouse_verify_cache_hit_ratio', 'Verify cache hits / lookups', () => {
    const { hits, misses } = verify.cache.stats();
    return hits + misses === 0 ? 0 : hits / (hits + misses);
  });
  serverMetrics.gauge(
    'gatehouse_feed_applied_seq',
    'Newest change-feed seq applied here',
    () => verify.tailer.appliedSeq,
  );
  // Mutations go through verify.store: this node applies its own changes before answering.
  const tokens = new TokenService({
    store: verify.store,
    apis,
    clock,
    random,
    audit,
    jwtIssuer: oauth.jwtIssuer,
  });
  const ctx: AppContext = {
    config,
    store: verify.store,
    clock,
    random,
    logger,
    nodeId,
    metrics: registry,
    serverMetrics,
    audit,
    apis,
    tokens,
    verifier,
    auth: createManagementAuth(verifier),
    oauth,
    baseUrl: () => config.issuer ?? baseUrl,
    onClose: (fn) => closers.push(fn),
    feed: verify,
  };
  const { rootToken } = await bootstrapStore({ store, clock, random, audit });
  if (rootToken) await options.onRootToken?.(rootToken);
  await apis.reload();
  await verify.start();
  ctx.onClose(() => verify.close());
  const app = await buildApp(ctx);
  // Once closing, every response asks the client to drop its connection: an idle keep-alive
  // socket would otherwise hold shutdown open until the client's own idle timeout.
  let draining = false;
  // Over TLS, browsers and clients are told never to try plain HTTP here (HSTS, one year).
  const hsts = config.tls ? 'max-age=31536000' : undefined;
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    if (hsts) reply.header('strict-transport-security', hsts);
    done(null, payload);
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  baseUrl = `${config.tls ? 'https' : 'http'}://${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    app,
    ctx,
    close: () => {
      closing ??= (async () => {
        draining = true;
        await app.close();
        for (const fn of closers.reverse()) await fn();
        if (!options.store) await store.close();
      })();
      return closing;
    },
  };
}

const CONFIG_KEYS = [
  'auditRetentionSeconds',
  'host',
  'port',
  'issuer',
  'policyFile',
  'dataDir',
  'databaseUrl',
  'redisUrl',
  'bodyLimit',
  'tls',
] as const;

function definedOnly(options: StartServerOptions): Partial<ServerConfig> {
  return Object.fromEntries(
    CONFIG_KEYS.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]),
  );
}
