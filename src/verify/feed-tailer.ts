import { type Clock, systemClock } from '@gatehouse/core';
import { type ChangeEvent, changesAfter, latestChangeSeq } from '../store/changes-repo.js';
import type { Store } from '../store/store.js';
import { ChangeRing } from './change-ring.js';
import { PgListener } from './pg-listener.js';

/** Reacts to one applied change (cache invalidation, API reload, OAuth key reload, audit…). */
export type ChangeListener = (change: ChangeEvent) => void | Promise<void>;

export interface FeedTailerOptions {
  store: Store;
  /** PostgreSQL URL for the dedicated LISTEN connection; without it PostgreSQL is polled. */
  listenUrl?: string | undefined;
  /** SQLite (or PostgreSQL without LISTEN) poll interval. Default 10 ms. */
  pollMs?: number;
  /** PostgreSQL safety poll while LISTEN is up. Default 1 000 ms. */
  safetyPollMs?: number;
  /** Wall clock for lag figures. */
  wallClock?: Clock;
  onError?(error: unknown): void;
}

/**
 * Follows the change feed for this process. Wakes on PostgreSQL NOTIFY (or polls SQLite every
 * `pollMs` with one indexed read), reads every change after the last applied seq in order, and
 * runs the listeners for each change before moving its seq forward. Nothing is skipped after a
 * dropped connection: the read is always by seq, the notification only says "look now".
 * @example
 * const tailer = new FeedTailer({ store }); tailer.onChange((c) => cache.invalidate(c.tokenHash, c.seq));
 * await tailer.start(); … await tailer.close();
 */
export class FeedTailer {
  private seq = 0;
  private readonly listeners: ChangeListener[] = [];
  private readonly waiters = new Set<{ seq: number; resolve: () => void }>();
  private readonly ring = new ChangeRing(10_000);
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private listener: PgListener | undefined;
  private closed = false;
  private lastAppliedAt = 0;

  constructor(private readonly options: FeedTailerOptions) {}

  /** The newest change seq this process has applied. */
  get appliedSeq(): number {
    return this.seq;
  }

  /** Wall-clock ms when the newest change was applied. */
  get appliedAt(): number {
    return this.lastAppliedAt;
  }

  /** Subscribes to every applied change, in seq order. Returns an unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  /** Recent changes after `seq` from memory, or undefined when memory no longer covers `seq`. */
  recent(seq: number): ChangeEvent[] | undefined {
    return this.ring.after(seq);
  }

  /** Starts at the feed's current end (the cache is empty, so older changes do not matter). */
  async start(): Promise<void> {
    this.seq = await latestChangeSeq(this.options.store.db);
    this.ring.reset(this.seq);
    const { store, listenUrl } = this.options;
    let interval = this.options.pollMs ?? 10;
    if (store.dialect === 'postgres' && listenUrl) {
      this.listener = new PgListener({
        connectionString: listenUrl,
        onWake: () => void this.catchUp().catch(() => {}),
        onError: (error) => this.options.onError?.(error),
      });
      await this.listener.start();
      interval = this.options.safetyPollMs ?? 1_000;
    }
    const tick = (): void => {
      if (this.closed) return;
      this.catchUp()
        .catch(() => {})
        .finally(() => {
          if (this.closed) return;
          this.timer = setTimeout(tick, interval);
          this.timer.unref();
        });
    };
    this.timer = setTimeout(tick, interval);
    this.timer.unref();
  }

  /**
   * Reads and applies everything committed so far. Concurrent calls share one pass; a call made
   * during a pass triggers one more pass, so a caller that just committed is covered on return.
   */
  catchUp(): Promise<void> {
    if (!this.running) return this.startPass();
    // Callers arriving mid-pass may have committed after its read: they share one follow-up pass.
    this.next ??= this.running
      .catch(() => {})
      .then(() => {
        this.next = undefined;
        return this.running ?? this.startPass();
      });
    return this.next;
  }

  private startPass(): Promise<void> {
    const pass = this.pass().finally(() => {
      if (this.running === pass) this.running = undefined;
    });
    this.running = pass;
    return pass;
  }

  private async pass(): Promise<void> {
    for (;;) {
      let batch: ChangeEvent[];
      try {
        batch = await changesAfter(this.options.store.db, this.seq, 500);
      } catch (error) {
        this.options.onError?.(error);
        throw error;
      }
      for (const change of batch) await this.apply(change);
      if (batch.length < 500) break;
    }
  }

  private async apply(change: ChangeEvent): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(change);
      } catch (error) {
        // A broken listener must not stop the feed (the cache listener never throws).
        this.options.onError?.(error);
      }
    }
    this.seq = change.seq;
    this.lastAppliedAt = (this.options.wallClock ?? systemClock).now();
    this.ring.push(change);
    for (const waiter of this.waiters) {
      if (waiter.seq <= this.seq) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Resolves once this process has applied `seq` (tests and receipts). */
  waitFor(seq: number): Promise<void> {
    if (seq <= this.seq) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add({ seq, resolve }));
  }

  /** Test hook: drops the PostgreSQL LISTEN connection. */
  dropListenConnection(): void {
    this.listener?.dropConnection();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.listener?.close();
    await this.running?.catch(() => {});
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
  }
}
