import {
  type ApiRecord,
  generateToken,
  hashToken,
  ManualClock,
  newId,
  newTokenRecord,
  secureRandom,
  type TokenRecord,
} from '@gatehouse/core';
import { expect, it } from 'vitest';
import { forEachStore } from '../../test/store-harness.js';
import { findApi, insertApi, listApis } from './apis-repo.js';
import { appendChange, changesAfter, latestChangeSeq } from './changes-repo.js';
import { runMigrations } from './migrator.js';
import {
  applyUsage,
  findTokenByHash,
  findTokenById,
  insertToken,
  listTokens,
  updateToken,
} from './tokens-repo.js';

const clock = new ManualClock(Date.UTC(2026, 0, 1));

function api(name: string): ApiRecord {
  return {
    id: newId('api'),
    name,
    prefix: name.replace(/[^a-z0-9]/g, '').slice(0, 10) || 'api',
    policy: {
      maxTtlSeconds: null,
      defaultTtlSeconds: null,
      allowedScopes: null,
      rotationPeriodSeconds: null,
      requireIpAllowlist: false,
    },
    createdAt: clock.now(),
    updatedAt: clock.now(),
  };
}

function token(apiId: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  const secret = generateToken({ prefix: 'gth', random: secureRandom });
  return newTokenRecord({
    id: newId('token'),
    apiId,
    hash: hashToken(secret),
    name: 'test',
    subject: 'user_1',
    scopes: ['orders:read'],
    createdAt: clock.now(),
    metadata: { plan: 'pro' },
    ...overrides,
  });
}

forEachStore('store conformance', (target) => {
  it('migrations are idempotent', async () => {
    const store = target.store();
    expect(await runMigrations(store.db as never, store.dialect)).toEqual([]);
  });

  it('round-trips an API and a token with every field', async () => {
    const { db } = target.store();
    const a = api('orders');
    await insertApi(db, a);
    expect(await findApi(db, 'orders')).toEqual(a);
    expect(await findApi(db, a.id)).toEqual(a);
    expect((await listApis(db)).map((x) => x.name)).toContain('orders');
    const t = token(a.id, {
      ipAllowlist: ['10.0.0.0/8'],
      rateLimit: { limit: 5, windowSeconds: 60 },
      maxUses: 3,
      expiresAt: clock.now() + 1000,
    });
    await insertToken(db, t);
    expect(await findTokenById(db, t.id)).toEqual(t);
    expect(await findTokenByHash(db, t.hash!)).toEqual(t);
  });

  it('update bumps the version; usage batches add up', async () => {
    const { db } = target.store();
    const a = api('billing');
    await insertApi(db, a);
    const t = token(a.id);
    await insertToken(db, t);
    const updated = await updateToken(db, t.id, { scopes: ['orders:write'] });
    expect(updated?.version).toBe(2);
    await applyUsage(db, [{ tokenId: t.id, uses: 3, lastUsedAt: 5 }]);
    await applyUsage(db, [{ tokenId: t.id, uses: 2, lastUsedAt: 4 }]);
    const after = await findTokenById(db, t.id);
    expect(after).toMatchObject({ uses: 5, lastUsedAt: 5, scopes: ['orders:write'], version: 2 });
  });

  it('lists newest first with keyset pagination and filters', async () => {
    const { db } = target.store();
    const a = api('listing');
    await insertApi(db, a);
    for (let i = 0; i < 5; i++) {
      clock.advance(1);
      await insertToken(db, token(a.id, { subject: i % 2 ? 'odd' : 'even' }));
    }
    const page1 = await listTokens(db, { apiId: a.id, now: clock.now(), limit: 2 });
    expect(page1).toHaveLength(3);
    const last = page1[1]!;
    const page2 = await listTokens(db, {
      apiId: a.id,
      now: clock.now(),
      limit: 2,
      after: { createdAt: last.createdAt, id: last.id },
    });
    expect(page2[0]!.createdAt).toBeLessThan(last.createdAt);
    const odd = await listTokens(db, { apiId: a.id, subject: 'odd', now: clock.now(), limit: 10 });
    expect(odd).toHaveLength(2);
  });

  it('the change feed is ordered and written atomically with the change', async () => {
    const store = target.store();
    const before = await latestChangeSeq(store.db);
    await store.write(async (tx) => {
      await appendChange(tx, store.dialect, {
        type: 'token.revoked',
        tokenId: 'tok_x',
        tokenHash: 'h',
        apiId: null,
        payload: {},
        time: 1,
      });
      await appendChange(tx, store.dialect, {
        type: 'token.updated',
        tokenId: 'tok_y',
        tokenHash: null,
        apiId: null,
        payload: { a: 1 },
        time: 2,
      });
    });
    await expect(
      store.write(async (tx) => {
        await appendChange(tx, store.dialect, {
          type: 'token.revoked',
          tokenId: 'tok_z',
          tokenHash: null,
          apiId: null,
          payload: {},
          time: 3,
        });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const events = await changesAfter(store.db, before);
    expect(events.map((e) => e.tokenId)).toEqual(['tok_x', 'tok_y']);
    expect(events[1]!.seq).toBeGreaterThan(events[0]!.seq);
    expect(await latestChangeSeq(store.db)).toBe(events[1]!.seq);
  });
});
