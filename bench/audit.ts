import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@gatehouse/core';
import { createAuditLog } from '../src/audit/audit-log.js';
import type { AuditEventInput } from '../src/audit/audit-sink.js';
import { verifyChain } from '../src/audit/verify-chain.js';
import { openStore, type Store } from '../src/store/store.js';
import { createPostgresDatabase, postgresAvailable } from '../test/services.js';

export interface AuditBenchOptions {
  /** Seconds of sustained load per store (default 5). */
  durationSeconds?: number;
}

const EVENT: AuditEventInput = {
  type: 'token.verified',
  tokenId: 'tok_benchbenchbench000',
  subject: 'user_42',
  api: 'default',
  actor: 'tok_callercaller00000',
  ip: '203.0.113.7',
  userAgent: 'bench/1.0',
  method: 'POST',
  path: '/v1/verify',
  status: 200,
  result: 'VALID',
  latencyMs: 0.042,
};

/**
 * Sustained audit write throughput (events/s actually committed, producer never throttled) on
 * SQLite and PostgreSQL, events dropped under that load, in-transaction management events/s, chain
 * verification speed, and the hot-path cost of `record()` in ns.
 * @example const figures = await runAuditBench({ durationSeconds: 3 }); console.log(figures);
 */
export async function runAuditBench(
  options: AuditBenchOptions = {},
): Promise<Record<string, number>> {
  const duration = (options.durationSeconds ?? 5) * 1000;
  const figures: Record<string, number> = {};
  // Settle the PostgreSQL probe before loading the event loop (its connect timeout is short).
  const pgUp = await postgresAvailable;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-audit-'));
  try {
    const sqlite = await openStore({ dataDir: dir });
    try {
      Object.assign(figures, prefixed('sqlite', await measure(sqlite, duration)));
    } finally {
      await sqlite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (pgUp) {
    const database = await createPostgresDatabase();
    const pg = await openStore({ databaseUrl: database.url });
    try {
      Object.assign(figures, prefixed('postgres', await measure(pg, duration)));
    } finally {
      await pg.close();
      await database.drop();
    }
  }
  // Last: its queued events are drained (CPU only) before returning, disturbing nothing else.
  figures.record_ns_per_call = await recordCost();
  return figures;
}

async function measure(store: Store, durationMs: number): Promise<Record<string, number>> {
  const audit = createAuditLog({
    store,
    nodeId: 'node_bench',
    clock: systemClock,
    capacity: 200_000,
  });
  // Producer: 1 000 events per macrotask, as fast as the event loop allows, like a busy verify path.
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    for (let i = 0; i < 1000; i++) audit.record(EVENT);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await audit.flush();
  const elapsed = (performance.now() - started) / 1000;
  const stats = audit.stats();

  const txStarted = performance.now();
  let management = 0;
  while (performance.now() - txStarted < Math.min(durationMs, 2000)) {
    await store.write((tx) =>
      audit.recordInTransaction(tx, { type: 'token.updated', tokenId: EVENT.tokenId }),
    );
    management += 1;
  }
  const txElapsed = (performance.now() - txStarted) / 1000;

  const verifyStarted = performance.now();
  const verdict = await verifyChain(store.db);
  const verifyElapsed = (performance.now() - verifyStarted) / 1000;
  await audit.close();
  return {
    usage_events_per_sec: Math.round(stats.written / elapsed),
    usage_events_written: stats.written,
    usage_events_dropped: stats.dropped,
    management_events_per_sec: Math.round(management / txElapsed),
    verify_events_per_sec: Math.round(verdict.checked / verifyElapsed),
    chain_ok: verdict.ok ? 1 : 0,
  };
}

/** Hot-path cost of `record()`: the write side resolves at once, so only queueing is timed. */
async function recordCost(): Promise<number> {
  const store = { dialect: 'sqlite', write: async () => undefined } as unknown as Store;
  const audit = createAuditLog({ store, nodeId: 'node_cost', capacity: 1_000_000 });
  const n = 200_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) audit.record(EVENT);
  const ns = Math.round(Number(process.hrtime.bigint() - started) / n);
  await audit.close();
  return ns;
}

function prefixed(prefix: string, values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [`${prefix}_${key}`, value]),
  );
}
