import { type Clock, systemClock } from '@gatehouse/core';
import type { Store } from '../store/store.js';
import {
  forgetDeadSubscribers,
  liveSubscribers,
  recordApplied,
  registerSubscriber,
  removeSubscriber,
  SUBSCRIBER_FORGET_MS,
  SUBSCRIBER_LIVE_MS,
  touchSubscribers,
} from './feed-subscribers.js';
import type { FeedTailer } from './feed-tailer.js';

/** What `revoke` with `wait: true` reports. */
export interface RevocationReceipt {
  /** Live subscribers when the wait ended (every server node's cache and every SSE client). */
  verifiers: number;
  /** How many of them applied the change. */
  confirmed: number;
  /** Slowest confirmation, ms after the change was committed; null when nobody confirmed. */
  maxLagMs: number | null;
  /** Subscribers that had not confirmed when the wait ended. */
  pending?: string[];
}

export interface SubscriberRegistryOptions {
  store: Store;
  tailer: FeedTailer;
  nodeId: string;
  /** Liveness and lag are operational, so they use real time even when tests freeze the clock. */
  wallClock?: Clock;
  /** How often this node refreshes the liveness of what it holds. Default 5 000 ms. */
  heartbeatMs?: number;
  /** How often a receipt wait re-reads the table. Default 5 ms. */
  receiptPollMs?: number;
}

/**
 * Shared subscriber bookkeeping: this node's cache counts as a verifier (its applied seq is
 * written after every catch-up), SSE clients held here are kept live, and receipts read every
 * node's rows from the store, so a revoke on node A waits for node B and B's SSE clients too.
 * @example const reg = new SubscriberRegistry({ store, tailer, nodeId }); await reg.start();
 * const receipt = await reg.awaitApplied(seq, 2000);
 */
export class SubscriberRegistry {
  private readonly held = new Set<string>();
  private readonly wall: Clock;
  private heartbeat: NodeJS.Timeout | undefined;
  private recording: Promise<void> | undefined;
  private recordAgain = false;
  private stopListening: (() => void) | undefined;

  constructor(private readonly options: SubscriberRegistryOptions) {
    this.wall = options.wallClock ?? systemClock;
  }

  /** This node's own subscriber id. */
  get nodeSubscriberId(): string {
    return `node:${this.options.nodeId}`;
  }

  async start(): Promise<void> {
    const { store, tailer } = this.options;
    await this.register(this.nodeSubscriberId, 'node', this.nodeSubscriberId, tailer.appliedSeq);
    this.stopListening = tailer.onChange(() => {
      // setImmediate: the tailer moves its seq forward only after every listener ran.
      setImmediate(() => this.recordOwnProgress());
    });
    this.heartbeat = setInterval(() => {
      const now = this.wall.now();
      void touchSubscribers(store.db, [...this.held], now)
        .then(() => forgetDeadSubscribers(store.db, now - SUBSCRIBER_FORGET_MS))
        .catch(() => {});
    }, this.options.heartbeatMs ?? 5_000);
    this.heartbeat.unref();
  }

  /** Registers a subscriber held by this node (an SSE connection). */
  async register(
    id: string,
    kind: 'node' | 'sse',
    name: string,
    appliedSeq: number,
  ): Promise<void> {
    this.held.add(id);
    await registerSubscriber(this.options.store.db, {
      id,
      kind,
      name,
      nodeId: this.options.nodeId,
      appliedSeq,
      now: this.wall.now(),
    });
  }

  async unregister(id: string): Promise<void> {
    this.held.delete(id);
    await removeSubscriber(this.options.store.db, id);
  }

  /** An acknowledgement (from any node's client): false when the subscriber is unknown. */
  ack(id: string, seq: number): Promise<boolean> {
    return recordApplied(this.options.store.db, id, seq, this.wall.now());
  }

  /** Coalesced write of this node's applied seq: at most one in flight, always the newest. */
  private recordOwnProgress(): void {
    if (this.recording) {
      this.recordAgain = true;
      return;
    }
    const { store, tailer } = this.options;
    this.recording = recordApplied(
      store.db,
      this.nodeSubscriberId,
      tailer.appliedSeq,
      this.wall.now(),
    )
      .then(async (known) => {
        // Another node forgot us (we were stalled past the forget bound): come back.
        if (!known && this.held.has(this.nodeSubscriberId))
          await this.register(
            this.nodeSubscriberId,
            'node',
            this.nodeSubscriberId,
            tailer.appliedSeq,
          );
      })
      .catch(() => {})
      .finally(() => {
        this.recording = undefined;
        if (this.recordAgain) {
          this.recordAgain = false;
          this.recordOwnProgress();
        }
      });
  }

  /**
   * Waits until every live subscriber applied `seq`, or `timeoutMs` passes. Call it right after
   * the commit: lags are measured from the call. `seq` null (nothing changed) answers at once.
   */
  async awaitApplied(seq: number | null, timeoutMs: number): Promise<RevocationReceipt> {
    const start = this.wall.now();
    const { store } = this.options;
    for (;;) {
      const now = this.wall.now();
      const live = await liveSubscribers(store.db, now - SUBSCRIBER_LIVE_MS);
      const pending = seq === null ? [] : live.filter((s) => s.appliedSeq < seq);
      if (pending.length === 0 || now - start >= timeoutMs) {
        const confirmed = live.filter((s) => !pending.includes(s));
        const lags = confirmed.map((s) => Math.max(0, s.appliedAt - start));
        return {
          verifiers: live.length,
          confirmed: confirmed.length,
          maxLagMs: lags.length === 0 ? null : Math.max(...lags),
          ...(pending.length > 0 ? { pending: pending.map((s) => s.name) } : {}),
        };
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.receiptPollMs ?? 5));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.stopListening?.();
    await this.recording;
    await Promise.all([...this.held].map((id) => this.unregister(id).catch(() => {})));
  }
}
