import { type Clock, type RandomSource, secureRandom, systemClock } from '@gatehouse/core';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { AuditEventInput, AuditSink } from './audit-sink.js';
import { appendToChain } from './chain-append.js';
import type { UnchainedRecord } from './hash-chain.js';
import { prepareEvent } from './prepare-event.js';
import type { Scheduler } from './scheduler.js';
import { UsageBatcher, type UsageBatcherStats } from './usage-batcher.js';

export interface AuditLogOptions {
  store: Pick<Store, 'dialect' | 'write' | 'sqlite'>;
  /** This process's node id: the chain its events extend. Distinct per process. */
  nodeId: string;
  clock?: Clock;
  random?: RandomSource;
  /** Usage events per write transaction. Default 500. */
  batchSize?: number;
  /** Longest a usage event waits in memory before its write starts. Default 1000 ms. */
  maxDelayMs?: number;
  /** Usage queue bound (events). Default 50 000. */
  capacity?: number;
  scheduler?: Scheduler;
  /** Called when a usage batch fails to write (it is kept and retried). */
  onError?(error: unknown): void;
}

export interface AuditStats extends UsageBatcherStats {
  /** Management events recorded inside callers' transactions. */
  recordedInTransaction: number;
}

/** The audit log: an {@link AuditSink} plus counters for `/metrics`. */
export interface AuditLog extends AuditSink {
  /** Several management events in one call (e.g. a subject revocation), same transaction. */
  recordAllInTransaction(tx: Kysely<Database>, events: readonly AuditEventInput[]): Promise<void>;
  stats(): AuditStats;
  /** Flushes and stops the timer (shutdown). */
  close(): Promise<void>;
}

// Security-relevant usage events may use the queue's reserve when routine ones are refused.
const PRIORITY_TYPES = new Set(['token.rejected', 'request.denied', 'leak.reported']);

/**
 * Creates the audit log. Management events extend the node's hash chain inside the caller's
 * transaction; usage events are queued and written in batches, each batch one transaction.
 * @example
 * const audit = createAuditLog({ store, nodeId: 'node_1' });
 * audit.record({ type: 'token.verified', tokenId, result: 'VALID' }); // never waits
 * await store.write(async (tx) => { …; await audit.recordInTransaction(tx, { type: 'token.revoked', tokenId }); });
 * await audit.close(); // on SIGTERM
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { store, nodeId } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? secureRandom;
  const context = { nodeId, clock, random };
  let recordedInTransaction = 0;

  // The hot path only copies the input and stamps the time; ids, scrubbing and hashing happen
  // at flush time, off the request path.
  const batcher = new UsageBatcher<AuditEventInput>({
    batchSize: options.batchSize,
    maxDelayMs: options.maxDelayMs,
    capacity: options.capacity,
    scheduler: options.scheduler,
    onError: options.onError,
    isPriority: (event) => PRIORITY_TYPES.has(event.type),
    write: async (batch) => {
      const records = batch.map((event) => prepareEvent(event, context));
      await store.write((tx) => appendToChain(tx, store, nodeId, records, clock.now()));
    },
  });

  async function inTransaction(
    tx: Kysely<Database>,
    events: readonly AuditEventInput[],
  ): Promise<void> {
    const records: UnchainedRecord[] = events.map((event) => prepareEvent(event, context));
    await appendToChain(tx, store, nodeId, records, clock.now());
    recordedInTransaction += records.length;
  }

  return {
    record(event) {
      try {
        batcher.push({ ...event, time: event.time ?? clock.now() });
      } catch {
        // Contract: record never throws on the request path (a broken clock is not the caller's fault).
      }
    },
    recordInTransaction: (tx, event) => inTransaction(tx, [event]),
    recordAllInTransaction: inTransaction,
    flush: () => batcher.flush(),
    stats: () => ({ ...batcher.stats(), recordedInTransaction }),
    async close() {
      batcher.close();
      await batcher.flush();
    },
  };
}
