import type { RateLimit } from '@gatehouse/core';
import { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

/** One rate-limit decision. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch ms when the current window ends. */
  resetAt: number;
}

/** Per-token fixed-window limiter. Memory (per node) or Redis (shared by every node). */
export interface TokenRateLimiter {
  consume(tokenId: string, limit: RateLimit, now: number): Promise<RateDecision>;
  close(): Promise<void>;
}

/**
 * rate-limiter-flexible behind {@link TokenRateLimiter}: one limiter per distinct
 * (limit, window) pair, keyed by token id, so a PATCH of a token's rate limit starts a fresh window.
 * With `redisUrl` the counters live in Redis (shared across nodes) with an in-memory insurance
 * limiter so a Redis outage degrades to per-node limits instead of failing verifies.
 * @example const limiter = createRateLimiter({ redisUrl: process.env.REDIS_URL });
 * const d = await limiter.consume('tok_1', { limit: 10, windowSeconds: 60 }, Date.now());
 */
export function createRateLimiter(
  options: { redisUrl?: string | undefined; keyPrefix?: string } = {},
): TokenRateLimiter {
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: true,
        lazyConnect: false,
      })
    : undefined;
  redis?.on('error', () => {
    // ioredis reconnects by itself; the insurance limiter answers meanwhile.
  });
  const limiters = new Map<string, RateLimiterAbstract>();
  const prefix = options.keyPrefix ?? 'gatehouse:rl';
  const limiterFor = (limit: RateLimit): RateLimiterAbstract => {
    const key = `${limit.limit}/${limit.windowSeconds}`;
    let limiter = limiters.get(key);
    if (!limiter) {
      const base = {
        points: limit.limit,
        duration: limit.windowSeconds,
        keyPrefix: `${prefix}:${key}`,
      };
      limiter = redis
        ? new RateLimiterRedis({
            ...base,
            storeClient: redis,
            insuranceLimiter: new RateLimiterMemory(base),
          })
        : new RateLimiterMemory(base);
      limiters.set(key, limiter);
    }
    return limiter;
  };
  return {
    async consume(tokenId, limit, now) {
      try {
        const res = await limiterFor(limit).consume(tokenId, 1);
        return decision(true, limit, res, now);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return decision(false, limit, rejection, now);
        throw rejection;
      }
    },
    async close() {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function decision(
  allowed: boolean,
  limit: RateLimit,
  res: RateLimiterRes,
  now: number,
): RateDecision {
  return {
    allowed,
    limit: limit.limit,
    remaining: Math.max(0, res.remainingPoints),
    resetAt: now + res.msBeforeNext,
  };
}
