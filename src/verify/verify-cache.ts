import type { TokenRecord } from '@gatehouse/core';
import { LRUCache } from 'lru-cache';

/** What the cache knows about a token hash: its record, or that no token has it. */
export type CacheEntry = { found: true; record: TokenRecord } | { found: false };

export interface VerifyCacheOptions {
  /** Positive entries (known tokens). Default 100 000. */
  maxEntries?: number;
  /** Negative entries (unknown hashes): bounded separately so garbage cannot evict real tokens. Default 10 000. */
  maxNegative?: number;
  /** How many recently changed hashes to remember for the fill guard. Default 10 000. */
  maxTouched?: number;
}

const NOT_FOUND: CacheEntry = { found: false };

/**
 * The per-process verification cache: token hash → record (positive) or "unknown" (negative).
 * Entries have no TTL: they stay correct because the feed tailer {@link VerifyCache.invalidate}s
 * every hash a change touches. Fills are guarded: a fill computed from a read that began before a
 * change to the same hash was applied is refused, so a slow read can never resurrect a revoked
 * record (see {@link VerifyCache.fill}).
 * @example
 * const seq = cache.appliedSeq; const record = await read(hash);
 * cache.fill(hash, record, seq); cache.get(hash);
 */
export class VerifyCache {
  private readonly positive: LRUCache<string, CacheEntry>;
  private readonly negative: LRUCache<string, CacheEntry>;
  /** hash → seq of the newest applied change touching it. */
  private readonly touched: LRUCache<string, number>;
  /** Highest seq of a `touched` entry that was evicted: older reads cannot be trusted past it. */
  private touchedFloor = 0;
  private seq = 0;
  private counts = { hits: 0, misses: 0, refusedFills: 0 };

  constructor(options: VerifyCacheOptions = {}) {
    this.positive = new LRUCache({ max: options.maxEntries ?? 100_000 });
    this.negative = new LRUCache({ max: options.maxNegative ?? 10_000 });
    this.touched = new LRUCache({
      max: options.maxTouched ?? 10_000,
      dispose: (seq, _hash, reason) => {
        if (reason === 'evict') this.touchedFloor = Math.max(this.touchedFloor, seq);
      },
    });
  }

  /** The newest change seq applied to this cache. Read it before a store read that may fill. */
  get appliedSeq(): number {
    return this.seq;
  }

  /** Starts the sequence (at tailer start, before any fill). */
  startAt(seq: number): void {
    this.seq = Math.max(this.seq, seq);
  }

  get(hash: string): CacheEntry | undefined {
    const entry = this.positive.get(hash) ?? this.negative.get(hash);
    if (entry === undefined) this.counts.misses += 1;
    else this.counts.hits += 1;
    return entry;
  }

  /**
   * Stores what a store read found. `readStartedAtSeq` is {@link appliedSeq} taken before the read
   * began; if a change to this hash was applied since, the read may predate it and is refused
   * (returns false: read again). Never replaces an entry with an older record version.
   */
  fill(hash: string, record: TokenRecord | undefined, readStartedAtSeq: number): boolean {
    if (readStartedAtSeq < this.seq) {
      const changedAt = this.touched.get(hash) ?? 0;
      if (changedAt > readStartedAtSeq || this.touchedFloor > readStartedAtSeq) {
        this.counts.refusedFills += 1;
        return false;
      }
    }
    if (record === undefined) {
      this.negative.set(hash, NOT_FOUND);
      return true;
    }
    const current = this.positive.get(hash);
    // A newer version is already cached (a later read won): keep it; this read is still not stale.
    if (current?.found && current.record.version > record.version) return true;
    this.positive.set(hash, { found: true, record });
    return true;
  }

  /** Applies one change: forgets the hash (both caches) and records when it changed. */
  invalidate(hash: string | null, seq: number): void {
    if (hash !== null) {
      this.positive.delete(hash);
      this.negative.delete(hash);
      this.touched.set(hash, seq);
    }
    this.seq = Math.max(this.seq, seq);
  }

  /** Drops everything (an API policy change, or a gap in the feed). */
  clear(seq: number): void {
    this.positive.clear();
    this.negative.clear();
    this.touchedFloor = Math.max(this.touchedFloor, seq);
    this.seq = Math.max(this.seq, seq);
  }

  stats(): { size: number; negative: number; hits: number; misses: number; refusedFills: number } {
    return { size: this.positive.size, negative: this.negative.size, ...this.counts };
  }
}
