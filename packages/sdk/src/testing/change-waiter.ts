import type { ChangeJson } from '../client/types.js';

/**
 * Lets a test wait until a verifier has applied a given change (no sleeps, no timing).
 * @example const w = changeWaiter(); createVerifier({ …, onChange: w.onChange }); await w.applied(change.seq);
 */
export function changeWaiter(): {
  onChange(change: ChangeJson): void;
  applied(seq: number): Promise<void>;
} {
  let last = 0;
  let waiters: Array<{ seq: number; resolve: () => void }> = [];
  return {
    onChange(change) {
      last = Math.max(last, change.seq);
      const ready = waiters.filter((waiter) => waiter.seq <= last);
      waiters = waiters.filter((waiter) => waiter.seq > last);
      for (const waiter of ready) waiter.resolve();
    },
    applied(seq) {
      if (seq <= last) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ seq, resolve }));
    },
  };
}
