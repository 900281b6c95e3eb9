import type { Clock } from '@gatehouse/core';
import type { AuditSink } from '../audit/audit-sink.js';
import type { ChangeEvent } from '../store/changes-repo.js';
import type { Store } from '../store/store.js';
import type { ApiDirectory } from '../tokens/api-directory.js';
import { type ChangeListener, FeedTailer } from './feed-tailer.js';
import { createRateLimiter, type TokenRateLimiter } from './rate-limiter.js';
import { SubscriberRegistry } from './subscriber-registry.js';
import { UsageTracker } from './usage-tracker.js';
import { VerifyCache, type VerifyCacheOptions } from './verify-cache.js';
import { CachedVerifyService } from './verify-service.js';

export interface VerifyRuntimeOptions {
  store: Store;
  apis: ApiDirectory;
  clock: Clock;
  audit: AuditSink;
  nodeId: string;
  /** PostgreSQL URL for the LISTEN connection (the store's own URL). */
  databaseUrl?: string | undefined;
  /** Shared rate limits in Redis; memory (per node) without it. */
  redisUrl?: string | undefined;
  /** SQLite feed poll interval. Default 10 ms. */
  pollMs?: number;
  cache?: VerifyCacheOptions;
  /** Liveness and lag clock (real time even when `clock` is frozen in tests). */
  wallClock?: Clock;
  onError?(error: unknown): void;
  /** Test hook, see {@link CachedVerifyService}. */
  beforeFill?: (hash: string) => Promise<void>;
}

/** What the rest of the server sees of the feed: subscribe to changes, serve them to SSE clients. */
export interface ChangeFeedHub {
  readonly tailer: FeedTailer;
  readonly registry: SubscriberRegistry;
  /** Runs `listener` for every change this process applies, after the cache dropped its entries. */
  onChange(listener: ChangeListener): () => void;
}

export interface VerifyRuntime extends ChangeFeedHub {
  readonly verifier: CachedVerifyService;
  readonly cache: VerifyCache;
  readonly usage: UsageTracker;
  readonly limiter: TokenRateLimiter;
  /**
   * The store to hand to services that mutate: after each write commits, this process applies
   * the feed before returning, so a revoke answered by this node is already enforced by it.
   */
  readonly store: Store;
  start(): Promise<void>;
  /** Flushes usage, stops the tailer, unregisters this node. */
  close(): Promise<void>;
}

/**
 * Builds the verification hot path of one process: cache, feed tailer, subscriber registry,
 * rate limiter and usage batcher, wired so every change is applied to the cache first.
 * @example
 * const rt = createVerifyRuntime({ store, apis, clock, audit, nodeId });
 * await rt.start(); await rt.verifier.verify(secret); await rt.close();
 */
export function createVerifyRuntime(options: VerifyRuntimeOptions): VerifyRuntime {
  const { store, apis } = options;
  const cache = new VerifyCache(options.cache);
  const tailer = new FeedTailer({
    store,
    listenUrl: options.databaseUrl,
    pollMs: options.pollMs,
    wallClock: options.wallClock,
    onError: options.onError,
  });
  // First listener: the cache forgets a hash before anyone else hears of the change.
  tailer.onChange(async (change: ChangeEvent) => {
    cache.invalidate(change.tokenHash, change.seq);
    if (change.type === 'api.updated') {
      apis.invalidate();
      await apis.reload();
      verifier.forgetApis();
    }
  });
  const registry = new SubscriberRegistry({
    store,
    tailer,
    nodeId: options.nodeId,
    wallClock: options.wallClock,
  });
  const usage = new UsageTracker({ store, onError: options.onError });
  const limiter = createRateLimiter({ redisUrl: options.redisUrl });
  const verifier = new CachedVerifyService({
    store,
    apis,
    clock: options.clock,
    audit: options.audit,
    cache,
    usage,
    limiter,
    receipts: registry,
    beforeFill: options.beforeFill,
  });
  const writeThrough: Store = {
    dialect: store.dialect,
    db: store.db,
    location: store.location,
    write: async (fn) => {
      const result = await store.write(fn);
      await tailer.catchUp().catch((error: unknown) => options.onError?.(error));
      return result;
    },
    ping: () => store.ping(),
    close: () => store.close(),
  };
  return {
    verifier,
    cache,
    usage,
    limiter,
    tailer,
    registry,
    store: writeThrough,
    onChange: (listener) => tailer.onChange(listener),
    async start() {
      await tailer.start();
      cache.startAt(tailer.appliedSeq);
      await registry.start();
    },
    async close() {
      await usage.close().catch((error: unknown) => options.onError?.(error));
      await registry.close().catch(() => {});
      await tailer.close();
      await limiter.close();
    },
  };
}
