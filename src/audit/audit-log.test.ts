import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@gatehouse/core';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { forEachStore } from '../../test/store-harness.js';
import { countAuditRecords, listAuditRecords, nodeEventsAfter } from '../store/audit-repo.js';
import { createAuditLog } from './audit-log.js';
import { ManualScheduler } from './scheduler.js';
import { verifyChain } from './verify-chain.js';

forEachStore('audit log', (target) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));

  it('records 10 000 usage events through the sink and stores exactly 10 000 rows', async () => {
    const store = target.store();
    const audit = createAuditLog({ store, nodeId: 'node_10k', clock });
    for (let i = 0; i < 10_000; i++) {
      audit.record({
        type: 'token.verified',
        tokenId: 'tok_bulk00000000',
        result: 'VALID',
        latencyMs: i / 7,
      });
    }
    await audit.close();
    const rows = await store.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('node_id', '=', 'node_10k')
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(10_000);
    expect(audit.stats()).toMatchObject({ written: 10_000, dropped: 0, queueDepth: 0 });
    expect(await verifyChain(store.db, { nodeId: 'node_10k' })).toEqual({
      ok: true,
      checked: 10_000,
    });
  });

  it('writes management events in the caller transaction: rolled back with it, committed with it', async () => {
    const store = target.store();
    const audit = createAuditLog({ store, nodeId: 'node_mgmt', clock });
    await expect(
      store.write(async (tx) => {
        await audit.recordInTransaction(tx, { type: 'token.revoked', tokenId: 'tok_rolledback00' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await store.write((tx) =>
      audit.recordInTransaction(tx, {
        type: 'token.created',
        tokenId: 'tok_committed000',
        actor: 'tok_admin0000000',
      }),
    );
    const rows = await nodeEventsAfter(store.db, 'node_mgmt', 0, 10);
    expect(rows.map((r) => [r.seq, r.type, r.tokenId])).toEqual([
      [1, 'token.created', 'tok_committed000'],
    ]);
    expect(await verifyChain(store.db, { nodeId: 'node_mgmt' })).toEqual({ ok: true, checked: 1 });
  });

  it('keeps one valid chain when management transactions and usage batches interleave', async () => {
    const store = target.store();
    const audit = createAuditLog({ store, nodeId: 'node_mix', clock, batchSize: 25 });
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 10; j++) audit.record({ type: 'token.verified', result: 'VALID' });
      work.push(
        store.write(async (tx) => {
          await sql`select 1`.execute(tx);
          await audit.recordInTransaction(tx, { type: 'token.updated', details: { i } });
        }),
      );
    }
    await Promise.all(work);
    await audit.flush();
    const rows = await nodeEventsAfter(store.db, 'node_mix', 0, 1000);
    expect(rows).toHaveLength(440);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 440 }, (_, i) => i + 1));
    expect(await verifyChain(store.db, { nodeId: 'node_mix' })).toEqual({ ok: true, checked: 440 });
  });

  it('two processes on one store, distinct node ids, writing at once: both chains verify', async () => {
    const store = target.store();
    const child = runSecondWriter(target.openOptions());
    const a = createAuditLog({ store, nodeId: 'node_p1', clock, batchSize: 50 });
    for (let i = 0; i < 300; i++) {
      a.record({ type: 'token.verified', result: 'VALID' });
      if (i % 30 === 0)
        await store.write((tx) => a.recordInTransaction(tx, { type: 'token.revoked' }));
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await a.close();
    expect(await child).toBe(0);
    expect(await verifyChain(store.db, { nodeId: 'node_p1' })).toEqual({ ok: true, checked: 310 });
    expect(await verifyChain(store.db, { nodeId: 'node_p2' })).toEqual({ ok: true, checked: 310 });
  });

  it('flushes partial batches after the delay, driven by an injected clock', async () => {
    const store = target.store();
    const manual = new ManualClock(Date.UTC(2026, 1, 1));
    const scheduler = new ManualScheduler(manual);
    const audit = createAuditLog({ store, nodeId: 'node_timer', clock: manual, scheduler });
    audit.record({
      type: 'request.proxied',
      method: 'GET',
      path: '/orders',
      status: 200,
      latencyMs: 3.5,
    });
    manual.advance(250);
    audit.record({
      type: 'request.denied',
      method: 'POST',
      path: '/orders',
      status: 403,
      result: 'INSUFFICIENT_SCOPE',
    });
    expect(audit.stats().queueDepth).toBe(2);
    scheduler.advance(1000);
    await audit.flush(); // nothing left to write; waits for the timer-started write
    const rows = await listAuditRecords(
      store.db,
      { since: Date.UTC(2026, 1, 1), until: Date.UTC(2026, 1, 2) },
      { limit: 10 },
    );
    expect(rows.map((r) => [r.type, r.time - Date.UTC(2026, 1, 1)])).toEqual([
      ['request.denied', 250],
      ['request.proxied', 0],
    ]);
    expect(await countAuditRecords(store.db)).toBeGreaterThan(0);
  });

  it('verifies every node at once and reports the total checked', async () => {
    const verdict = await verifyChain(target.store().db);
    expect(verdict).toEqual({ ok: true, checked: 10_000 + 1 + 440 + 310 + 310 + 2 });
  });
});

const dist = (path: string): string => new URL(`../../dist/src/${path}`, import.meta.url).href;

// A real second process (the compiled code, built by the global setup): two SQLite connections in
// one thread would block each other's busy wait, which separate processes never do.
const SECOND_WRITER = `
const { openStore } = await import(process.env.STORE_JS);
const { createAuditLog } = await import(process.env.AUDIT_JS);
const store = await openStore(JSON.parse(process.env.STORE_OPTIONS));
const audit = createAuditLog({ store, nodeId: 'node_p2', batchSize: 50 });
for (let i = 0; i < 300; i++) {
  audit.record({ type: 'token.rejected', result: 'NOT_FOUND' });
  if (i % 30 === 0) await store.write((tx) => audit.recordInTransaction(tx, { type: 'api.updated' }));
  if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
}
await audit.close();
await store.close();
`;

function runSecondWriter(options: object): Promise<number | null> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SECOND_WRITER], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: {
      ...process.env,
      STORE_JS: dist('store/store.js'),
      AUDIT_JS: dist('audit/audit-log.js'),
      STORE_OPTIONS: JSON.stringify(options),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}
