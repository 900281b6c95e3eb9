import { type Clock, newId, secureRandom, systemClock, type TokenVerifier } from '@gatehouse/core';
import { createVerifier } from '@gatehouse/sdk';
import { createAuditLog } from '../audit/audit-log.js';
import type { AuditSink } from '../audit/audit-sink.js';
import { openStore } from '../store/store.js';
import { ApiDirectory } from '../tokens/api-directory.js';
import { createVerifyRuntime } from '../verify/verify-runtime.js';
import type { ProxyLogger } from './proxy-logger.js';

/** A verifier plus the audit sink that goes with it, and how to shut both down. */
export interface ProxyBackend {
  verifier: TokenVerifier;
  audit: AuditSink;
  close(): Promise<void>;
}

/**
 * The same hot path as `serve`, in this process: the store (`--data` / `--database-url`), the
 * change-feed-fresh verify cache and rate limiters, and the audit log.
 * @example const backend = await storeBackend({ dataDir: '.gatehouse', logger });
 */
export async function storeBackend(options: {
  dataDir?: string | undefined;
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  logger: ProxyLogger;
  clock?: Clock;
}): Promise<ProxyBackend> {
  const clock = options.clock ?? systemClock;
  const store = await openStore({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  const nodeId = newId('node', secureRandom);
  const onError = (error: unknown): void =>
    options.logger.warn({ error: (error as Error).message }, 'proxy backend error');
  const audit = createAuditLog({ store, nodeId, clock, onError });
  const apis = new ApiDirectory(store, clock);
  await apis.reload();
  const runtime = createVerifyRuntime({
    store,
    apis,
    clock,
    audit,
    nodeId,
    databaseUrl: options.databaseUrl,
    redisUrl: options.redisUrl,
    onError,
  });
  await runtime.start();
  return {
    // The proxy writes one request.proxied/denied event per request; no second verify event.
    verifier: { verify: (token, o) => runtime.verifier.verify(token, { ...o, audit: false }) },
    audit,
    async close() {
      await runtime.close();
      await audit.close();
      await store.close();
    },
  };
}

/**
 * `--remote URL`: the SDK's caching verifier, kept fresh by the server's change feed. There is
 * no store here, so audit events go to the log as JSON lines (`msg: "audit"`).
 * @example const backend = await remoteBackend({ url, token: process.env.GATEHOUSE_TOKEN!, logger });
 */
export async function remoteBackend(options: {
  url: string;
  token: string;
  logger: ProxyLogger;
}): Promise<ProxyBackend> {
  const verifier = createVerifier({ url: options.url, token: options.token, subscriber: 'proxy' });
  try {
    await verifier.ready({ timeoutMs: 5000 });
  } catch (error) {
    // Keep starting: verification fails closed (503) until the server is reachable.
    options.logger.warn({ url: options.url, error: (error as Error).message }, 'server not ready');
  }
  // Every proxied request goes to the server's audit log through the verifier's reporter
  // (`POST /v1/audit/events`, batched); while the server is unreachable it queues and retries.
  const reporter = verifier.audit;
  const audit: AuditSink = {
    record: (event) => {
      if (event.type !== 'request.proxied' && event.type !== 'request.denied') return;
      reporter?.record({
        type: event.type,
        time: new Date(event.time ?? Date.now()).toISOString(),
        tokenId: event.tokenId ?? null,
        subject: event.subject ?? null,
        api: event.api ?? null,
        ip: event.ip ?? null,
        userAgent: event.userAgent ?? null,
        method: event.method ?? null,
        path: event.path ?? null,
        status: event.status ?? null,
        result: event.result ?? null,
        latencyMs: event.latencyMs ?? null,
      });
    },
    recordInTransaction: async () => {},
    flush: async () => {
      await reporter?.flush();
    },
  };
  return { verifier, audit, close: () => verifier.close() };
}
