import { ManualClock } from '@gatehouse/core';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import { forEachStore, type StoreTarget } from '../../test/store-harness.js';
import { chainCheckpoint, nodeEventsAfter } from '../store/audit-repo.js';
import { createAuditLog } from './audit-log.js';
import { pruneAudit } from './retention.js';
import { verifyChain } from './verify-chain.js';

/** Runs SQL on the store through its own raw driver connection, as an intruder with DB access would. */
async function tamper(target: StoreTarget, statements: string[]): Promise<void> {
  const options = target.openOptions();
  if (target.dialect === 'sqlite') {
    const db = new SqliteDatabase(`${options.dataDir}/gatehouse.db`);
    try {
      for (const statement of statements) db.exec(statement);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

forEachStore('audit tamper evidence', (target) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));

  async function freshChain(nodeId: string, count: number) {
    const store = target.store();
    const audit = createAuditLog({ store, nodeId, clock, batchSize: 7 });
    for (let i = 0; i < count; i++) {
      clock.advance(1000);
      if (i % 5 === 0) {
        await store.write((tx) =>
          audit.recordInTransaction(tx, { type: 'token.updated', subject: `user_${i}` }),
        );
      } else
        audit.record({
          type: 'token.verified',
          result: 'VALID',
          subject: `user_${i}`,
          latencyMs: i / 3,
        });
    }
    await audit.close();
    expect(await verifyChain(store.db, { nodeId })).toEqual({ ok: true, checked: count });
    return nodeEventsAfter(store.db, nodeId, 0, count);
  }

  it('detects an edited field', async () => {
    const events = await freshChain('node_edit', 20);
    const victim = events[11];
    await tamper(target, [
      `update audit_events set subject = 'someone_else' where id = '${victim?.id}'`,
    ]);
    const verdict = await verifyChain(target.store().db, { nodeId: 'node_edit' });
    expect(verdict).toMatchObject({
      ok: false,
      checked: 11,
      firstBadEvent: { id: victim?.id, seq: 12, reason: 'hash_mismatch' },
    });
  });

  it('detects an edit that also recomputes nothing but the row hash (the next link breaks)', async () => {
    const events = await freshChain('node_rehash', 10);
    const victim = events[3];
    await tamper(target, [
      `update audit_events set hash = '${'a'.repeat(64)}' where id = '${victim?.id}'`,
    ]);
    const verdict = await verifyChain(target.store().db, { nodeId: 'node_rehash' });
    expect(verdict).toMatchObject({
      ok: false,
      firstBadEvent: { id: victim?.id, reason: 'hash_mismatch' },
    });
  });

  it('detects a deleted event in the middle and at the end', async () => {
    const events = await freshChain('node_delete', 15);
    await tamper(target, [`delete from audit_events where id = '${events[6]?.id}'`]);
    expect(await verifyChain(target.store().db, { nodeId: 'node_delete' })).toMatchObject({
      ok: false,
      firstBadEvent: { id: events[7]?.id, seq: 8, reason: 'gap' },
    });
    const tail = await freshChain('node_tail', 5);
    await tamper(target, [`delete from audit_events where id = '${tail[4]?.id}'`]);
    expect(await verifyChain(target.store().db, { nodeId: 'node_tail' })).toMatchObject({
      ok: false,
      firstBadEvent: { id: null, seq: 5, reason: 'missing_tail' },
    });
  });

  it('detects reordered events', async () => {
    const events = await freshChain('node_order', 10);
    const [a, b] = [events[2], events[3]];
    await tamper(target, [
      `update audit_events set node_seq = -1 where id = '${a?.id}'`,
      `update audit_events set node_seq = 3 where id = '${b?.id}'`,
      `update audit_events set node_seq = 4 where id = '${a?.id}'`,
    ]);
    expect(await verifyChain(target.store().db, { nodeId: 'node_order' })).toMatchObject({
      ok: false,
      firstBadEvent: { id: b?.id, seq: 3, reason: 'hash_mismatch' },
    });
  });

  it('retention deletes old events in batches, leaves a checkpoint, and the rest still verifies', async () => {
    const store = target.store();
    const events = await freshChain('node_keep', 50);
    const cutoff = events[29]?.time ?? 0;
    // Usage events are stamped when recorded but chained when flushed, so chain order is not time
    // order: retention deletes the longest chain prefix older than the cutoff, nothing beyond.
    const prefix = events.findIndex((event) => event.time >= cutoff);
    expect(prefix).toBeGreaterThan(10);
    const deleted = await pruneAudit({
      store,
      clock,
      retentionMs: clock.now() - cutoff,
      batchSize: 8,
    });
    expect(deleted).toBeGreaterThanOrEqual(prefix); // other nodes' old events go too
    const remaining = await nodeEventsAfter(store.db, 'node_keep', 0, 100);
    expect(remaining[0]?.id).toBe(events[prefix]?.id);
    expect(await chainCheckpoint(store.db, 'node_keep')).toEqual({
      seq: prefix,
      hash: events[prefix - 1]?.hash,
    });
    expect(await verifyChain(store.db, { nodeId: 'node_keep' })).toEqual({
      ok: true,
      checked: 50 - prefix,
    });
    // Deleting past the checkpoint by hand is still caught.
    await tamper(target, [`delete from audit_events where id = '${events[prefix]?.id}'`]);
    expect(await verifyChain(store.db, { nodeId: 'node_keep' })).toMatchObject({
      ok: false,
      firstBadEvent: { seq: prefix + 2, reason: 'gap' },
    });
  });

  it('verification running while retention prunes the same chain still succeeds', async () => {
    const store = target.store();
    await freshChain('node_race', 3000);
    const verifying = verifyChain(store.db, { nodeId: 'node_race' });
    const pruning = pruneAudit({ store, clock, retentionMs: 500_000, batchSize: 100 });
    const [verdict, deleted] = await Promise.all([verifying, pruning]);
    expect(deleted).toBeGreaterThan(0);
    expect(verdict.ok).toBe(true);
    const left = await nodeEventsAfter(store.db, 'node_race', 0, 5000);
    expect(await verifyChain(store.db, { nodeId: 'node_race' })).toEqual({
      ok: true,
      checked: left.length,
    });
  });
});
