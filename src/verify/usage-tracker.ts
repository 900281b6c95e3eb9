import type { TokenRecord } from '@gatehouse/core';
import type { Store } from '../store/store.js';
import { applyUsage, type UsageDelta } from '../store/tokens-repo.js';

export interface UsageTrackerOptions {
  store: Store;
  /** Longest a use waits before it is written. Default 1 000 ms. */
  flushMs?: number;
  onError?(error: unknown): void;
}

/**
 * Counts uses without a database write per verify. `maxUses` is decided here, exactly on a single
 * node: the count is reserved synchronously (no await between check and increment), and the
 * store's `uses` only ever lags behind it. `uses`/`lastUsedAt` reach the store in one batch at
 * most `flushMs` later, and on shutdown. Several nodes sharing a store each count their own
 * reservations on top of the last flushed total, so a token can overshoot by what other nodes
 * reserved during one flush interval (documented in docs/performance.md).
 * @example if (!usage.reserve(record)) return USAGE_EXCEEDED; usage.used(record.id, now);
 */
export class UsageTracker {
  private readonly counts = new Map<string, number>();
  private pending = new Map<string, UsageDelta>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: UsageTrackerOptions) {}

  /** Takes one use of a `maxUses` token; false when none is left. Tokens without a cap always pass. */
  reserve(record: TokenRecord): boolean {
    if (record.maxUses === null) return true;
    const used = Math.max(this.counts.get(record.id) ?? 0, record.uses);
    if (used >= record.maxUses) return false;
    this.counts.set(record.id, used + 1);
    return true;
  }

  /** Gives back a reservation (the verify was then denied, e.g. by the rate limit). */
  refund(record: TokenRecord): void {
    if (record.maxUses === null) return;
    const used = this.counts.get(record.id);
    if (used !== undefined && used > 0) this.counts.set(record.id, used - 1);
  }

  /** Uses this node has counted for a token (at least `record.uses`). */
  usesOf(record: TokenRecord): number {
    return Math.max(this.counts.get(record.id) ?? 0, record.uses);
  }

  /** Records a successful verification, to be flushed in the next batch. */
  used(tokenId: string, now: number): void {
    const delta = this.pending.get(tokenId);
    if (delta) {
      delta.uses += 1;
      if (now > delta.lastUsedAt) delta.lastUsedAt = now;
    } else {
      this.pending.set(tokenId, { tokenId, uses: 1, lastUsedAt: now });
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush().catch((error: unknown) => this.options.onError?.(error));
      }, this.options.flushMs ?? 1_000);
      this.timer.unref();
    }
  }

  /** Writes everything pending in one transaction; failed batches are merged back for a retry. */
  async flush(): Promise<void> {
    await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.options.store
      .write((tx) => applyUsage(tx, [...batch.values()]))
      .catch((error: unknown) => {
        for (const delta of batch.values()) {
          const now = this.pending.get(delta.tokenId);
          if (now) {
            now.uses += delta.uses;
            now.lastUsedAt = Math.max(now.lastUsedAt, delta.lastUsedAt);
          } else this.pending.set(delta.tokenId, delta);
        }
        throw error;
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
