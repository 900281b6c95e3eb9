import { newId } from '@gatehouse/core';
import { expect, it } from 'vitest';
import { forEachStore } from '../../test/store-harness.js';
import { chainRecords, GENESIS_HASH, type UnchainedRecord } from '../audit/hash-chain.js';
import {
  type AuditRecord,
  chainCheckpoint,
  chainHeads,
  countAuditRecords,
  insertAuditRecords,
  listAuditRecords,
  lockChainHead,
  nodeEventsAfter,
  pruneNodePrefix,
  setChainHead,
} from './audit-repo.js';

const T0 = Date.UTC(2026, 0, 1);

function event(i: number, overrides: Partial<UnchainedRecord> = {}): UnchainedRecord {
  return {
    id: newId('event'),
    nodeId: 'node_repo',
    time: T0 + i * 1000,
    type: i % 3 === 0 ? 'token.rejected' : 'token.verified',
    actor: null,
    tokenId: i % 2 === 0 ? 'tok_even00000000' : 'tok_odd000000000',
    subject: `user_${i % 4}`,
    api: 'default',
    ip: '10.0.0.1',
    userAgent: 'curl/8',
    method: 'POST',
    path: '/v1/verify',
    status: 200,
    result: i % 3 === 0 ? 'REVOKED' : 'VALID',
    latencyMs: 0.25 * i,
    details: i === 0 ? '{"fingerprint":"sha256:000000000000"}' : null,
    ...overrides,
  };
}

forEachStore('audit repo', (target) => {
  let stored: AuditRecord[] = [];

  it('stores chained rows and round-trips every field exactly', async () => {
    const store = target.store();
    const events = Array.from({ length: 40 }, (_, i) => event(i));
    await store.write(async (tx) => {
      const head = await lockChainHead(tx, store.dialect, 'node_repo', GENESIS_HASH, T0);
      expect(head).toEqual({ seq: 0, hash: GENESIS_HASH });
      const chained = chainRecords(head, events);
      await insertAuditRecords(tx, chained.records);
      await setChainHead(tx, 'node_repo', chained.head, T0);
      stored = chained.records;
    });
    expect(await countAuditRecords(store.db)).toBe(40);
    expect(await nodeEventsAfter(store.db, 'node_repo', 0, 100)).toEqual(stored);
    expect((await chainHeads(store.db)).get('node_repo')).toEqual({
      seq: 40,
      hash: stored[39]?.hash,
    });
  });

  it('lists newest first with every filter and keyset pagination', async () => {
    const db = target.store().db;
    const all = await listAuditRecords(db, {}, { limit: 100 });
    expect(all.map((r) => r.seq)).toEqual(stored.map((r) => r.seq).reverse());
    const byToken = await listAuditRecords(db, { tokenId: 'tok_even00000000' }, { limit: 100 });
    expect(byToken).toHaveLength(20);
    expect(byToken.every((r) => r.tokenId === 'tok_even00000000')).toBe(true);
    expect(await listAuditRecords(db, { subject: 'user_1' }, { limit: 100 })).toHaveLength(10);
    expect(await listAuditRecords(db, { type: 'token.rejected' }, { limit: 100 })).toHaveLength(14);
    expect(await listAuditRecords(db, { type: 'token.' }, { limit: 100 })).toHaveLength(40);
    expect(await listAuditRecords(db, { type: 'api.' }, { limit: 100 })).toHaveLength(0);
    expect(await listAuditRecords(db, { result: 'REVOKED' }, { limit: 100 })).toHaveLength(14);
    const range = await listAuditRecords(
      db,
      { since: T0 + 10_000, until: T0 + 20_000 },
      { limit: 100 },
    );
    expect(range.map((r) => r.time)).toEqual(
      Array.from({ length: 10 }, (_, i) => T0 + (19 - i) * 1000),
    );

    const seen: string[] = [];
    let cursor: { time: number; id: string } | undefined;
    for (;;) {
      const page = await listAuditRecords(
        db,
        { tokenId: 'tok_odd000000000' },
        { limit: 7, cursor },
      );
      seen.push(...page.map((r) => r.id));
      const last = page[page.length - 1];
      if (page.length < 7 || !last) break;
      cursor = { time: last.time, id: last.id };
    }
    expect(seen).toEqual(byTokenIds(all, 'tok_odd000000000'));
  });

  it('pages correctly through events sharing one timestamp', async () => {
    const store = target.store();
    const same = Array.from({ length: 9 }, (_, i) =>
      event(i, { nodeId: 'node_same', time: T0 + 999_999 }),
    );
    await store.write(async (tx) => {
      const head = await lockChainHead(tx, store.dialect, 'node_same', GENESIS_HASH, T0);
      const chained = chainRecords(head, same);
      await insertAuditRecords(tx, chained.records);
      await setChainHead(tx, 'node_same', chained.head, T0);
    });
    const ids: string[] = [];
    let cursor: { time: number; id: string } | undefined;
    for (let i = 0; i < 5; i++) {
      const page = await listAuditRecords(store.db, { since: T0 + 999_999 }, { limit: 2, cursor });
      ids.push(...page.map((r) => r.id));
      const last = page[page.length - 1];
      if (!last) break;
      cursor = { time: last.time, id: last.id };
    }
    expect(ids).toEqual(
      same
        .map((e) => e.id)
        .sort()
        .reverse(),
    );
  });

  it('prunes a chain prefix and keeps the last deleted hash as checkpoint', async () => {
    const store = target.store();
    const last = stored[9];
    if (!last) throw new Error('no events');
    const deleted = await store.write((tx) => pruneNodePrefix(tx, 'node_repo', last, T0));
    expect(deleted).toBe(10);
    expect(await chainCheckpoint(store.db, 'node_repo')).toEqual({ seq: 10, hash: last.hash });
    // An older checkpoint never overwrites a newer one.
    await store.write((tx) => pruneNodePrefix(tx, 'node_repo', stored[4] ?? last, T0));
    expect(await chainCheckpoint(store.db, 'node_repo')).toEqual({ seq: 10, hash: last.hash });
    expect((await nodeEventsAfter(store.db, 'node_repo', 0, 1))[0]?.seq).toBe(11);
  });
});

function byTokenIds(all: AuditRecord[], tokenId: string): string[] {
  return all.filter((r) => r.tokenId === tokenId).map((r) => r.id);
}
