import type { Clock } from '@gatehouse/core';

/** Timers, injected so tests drive the batcher by moving a clock instead of sleeping. */
export interface Scheduler {
  /** Runs `fn` after `ms`; returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** Real timers, unref'd so a pending flush never keeps the process alive (shutdown flushes). */
export const systemScheduler: Scheduler = {
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/**
 * A scheduler driven by a manual clock: `advance(ms)` moves the clock and fires due timers.
 * @example const clock = new ManualClock(); const s = new ManualScheduler(clock); s.advance(1000);
 */
export class ManualScheduler implements Scheduler {
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 0;

  constructor(private readonly clock: Clock & { advance(ms: number): void }) {}

  setTimer(fn: () => void, ms: number): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.clock.now() + ms, fn, id });
    return () => {
      this.timers = this.timers.filter((timer) => timer.id !== id);
    };
  }

  /** Number of armed timers. */
  get pending(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    this.clock.advance(ms);
    const now = this.clock.now();
    const due = this.timers.filter((timer) => timer.at <= now).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((timer) => timer.at > now);
    for (const timer of due) timer.fn();
  }
}
