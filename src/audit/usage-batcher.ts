import { type Scheduler, systemScheduler } from './scheduler.js';

export interface UsageBatcherOptions<T> {
  /** Writes one batch in one transaction. A rejection keeps the batch queued for a retry. */
  write(batch: T[]): Promise<void>;
  /** Write as soon as this many items wait. Default 500. */
  batchSize?: number;
  /** An item waits at most this long before a write starts. Default 1000 ms. */
  maxDelayMs?: number;
  /** Queue bound. Default 50 000. */
  capacity?: number;
  /**
   * Share of the capacity only priority items may use (default 0.1): when the queue is 90 % full
   * routine items are dropped, security-relevant ones still get in until it is 100 % full.
   */
  priorityReserve?: number;
  isPriority?(item: T): boolean;
  scheduler?: Scheduler;
  onError?(error: unknown): void;
}

export interface UsageBatcherStats {
  queueDepth: number;
  capacity: number;
  /** Items written. */
  written: number;
  /** Items refused because the queue was full (backpressure). */
  dropped: number;
  droppedPriority: number;
  /** Batch writes that failed and were retried. */
  failedWrites: number;
}

/**
 * A bounded queue flushed in batches, by size or after `maxDelayMs`, one write at a time.
 * `push` never waits and never throws: when the queue is full it refuses the item and counts it.
 * @example const b = new UsageBatcher({ write: (batch) => save(batch) }); b.push(item); await b.flush();
 */
export class UsageBatcher<T> {
  private queue: T[] = [];
  private writing: Promise<void> | undefined;
  private flushing = false;
  private cancelTimer: (() => void) | undefined;
  private readonly batchSize: number;
  private readonly maxDelayMs: number;
  private readonly capacity: number;
  private readonly routineLimit: number;
  private readonly scheduler: Scheduler;
  private counts = { written: 0, dropped: 0, droppedPriority: 0, failedWrites: 0 };

  constructor(private readonly options: UsageBatcherOptions<T>) {
    this.batchSize = options.batchSize ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 1000;
    this.capacity = options.capacity ?? 50_000;
    this.routineLimit = Math.floor(this.capacity * (1 - (options.priorityReserve ?? 0.1)));
    this.scheduler = options.scheduler ?? systemScheduler;
  }

  /** Queues an item; false when it was dropped because the queue is full. */
  push(item: T): boolean {
    const priority = this.options.isPriority?.(item) ?? false;
    if (this.queue.length >= (priority ? this.capacity : this.routineLimit)) {
      this.counts.dropped += 1;
      if (priority) this.counts.droppedPriority += 1;
      this.kick();
      return false;
    }
    this.queue.push(item);
    if (this.queue.length >= this.batchSize) this.kick();
    else this.arm();
    return true;
  }

  stats(): UsageBatcherStats {
    return { queueDepth: this.queue.length, capacity: this.capacity, ...this.counts };
  }

  /** Writes everything queued, including items pushed while it runs; rejects if a write fails. */
  async flush(): Promise<void> {
    this.flushing = true;
    this.disarm();
    try {
      await this.idle();
      while (this.queue.length > 0) {
        const failure = await this.writeNextBatch();
        if (failure) throw failure.error;
      }
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.arm();
    }
  }

  /** Resolves when no write is in flight (tests). */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Stops the timer; queued items stay until {@link flush}. */
  close(): void {
    this.disarm();
  }

  private kick(): void {
    if (this.writing || this.flushing) return;
    this.disarm();
    this.writing = this.drain().then((ok) => {
      this.writing = undefined;
      if (!ok) return; // a retry timer is armed
      if (this.queue.length >= this.batchSize) this.kick();
      else if (this.queue.length > 0) this.arm();
    });
  }

  /** Writes batches until fewer than a batch wait; false when a write failed. Never rejects. */
  private async drain(): Promise<boolean> {
    // Yield first: the request path that pushed the item returns before any I/O starts.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const failure = await this.writeNextBatch();
      if (failure) {
        try {
          this.options.onError?.(failure.error);
        } catch {
          // A failing error hook must not break the retry loop.
        }
        // Retry after the normal delay instead of hammering a store that is down.
        this.arm(true);
        return false;
      }
      if (this.queue.length < this.batchSize) return true;
    }
    return true;
  }

  /** Writes one batch off the queue; on failure puts it back and returns the error. */
  private async writeNextBatch(): Promise<{ error: unknown } | undefined> {
    const batch = this.queue.splice(0, this.batchSize);
    try {
      await this.options.write(batch);
      this.counts.written += batch.length;
      return undefined;
    } catch (error) {
      this.counts.failedWrites += 1;
      this.requeue(batch);
      return { error };
    }
  }

  private requeue(batch: T[]): void {
    const room = Math.max(0, this.capacity - this.queue.length);
    const kept = batch.slice(0, room);
    this.counts.dropped += batch.length - kept.length;
    this.queue = kept.concat(this.queue);
  }

  private arm(force = false): void {
    if (this.cancelTimer && !force) return;
    this.disarm();
    this.cancelTimer = this.scheduler.setTimer(() => {
      this.cancelTimer = undefined;
      this.kick();
    }, this.maxDelayMs);
  }

  private disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }
}
