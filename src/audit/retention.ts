import type { Clock } from '@gatehouse/core';
import { chainHeads, oldestNodeEvents, pruneNodePrefix } from '../store/audit-repo.js';
import type { Store } from '../store/store.js';
import type { Scheduler } from './scheduler.js';

export interface RetentionOptions {
  store: Pick<Store, 'db' | 'write'>;
  clock: Clock;
  /** Events older than this are deleted. */
  retentionMs: number;
  /** Events deleted per transaction. Default 1000. */
  batchSize?: number;
}

/**
 * Deletes events older than the retention period, oldest first per node, in short transactions of
 * `batchSize` events. Only a node's chain prefix is ever deleted (stopping at the first event
 * still inside the period, even if a later one is older), and the last deleted event becomes the
 * node's checkpoint in the same transaction, so what remains verifies from there.
 * @example await pruneAudit({ store, clock, retentionMs: 90 * 86_400_000 }) // → events deleted
 */
export async function pruneAudit(options: RetentionOptions): Promise<number> {
  const { store, clock, retentionMs } = options;
  const batchSize = options.batchSize ?? 1000;
  const cutoff = clock.now() - retentionMs;
  let deleted = 0;
  for (const nodeId of (await chainHeads(store.db)).keys()) {
    for (;;) {
      const oldest = await oldestNodeEvents(store.db, nodeId, batchSize);
      let end = 0;
      while (end < oldest.length && (oldest[end]?.time ?? cutoff) < cutoff) end += 1;
      const last = oldest[end - 1];
      if (!last) break;
      deleted += await store.write((tx) =>
        pruneNodePrefix(tx, nodeId, { seq: last.seq, hash: last.hash }, clock.now()),
      );
      if (end < oldest.length || oldest.length < batchSize) break;
    }
  }
  return deleted;
}

/**
 * Runs {@link pruneAudit} every `intervalMs` (default hourly) until the returned stop is called.
 * @example const stop = startRetention({ store, clock, retentionMs, scheduler }); ctx.onClose(stop);
 */
export function startRetention(
  options: RetentionOptions & {
    scheduler: Scheduler;
    intervalMs?: number;
    onError?(error: unknown): void;
  },
): () => void {
  let cancel: (() => void) | undefined;
  let stopped = false;
  const tick = (): void => {
    pruneAudit(options)
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        if (!stopped) cancel = options.scheduler.setTimer(tick, options.intervalMs ?? 3_600_000);
      });
  };
  cancel = options.scheduler.setTimer(tick, 0);
  return () => {
    stopped = true;
    cancel?.();
  };
}
