import { generateToken, hashToken, newId, newTokenRecord, secureRandom } from '@gatehouse/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/server-harness.js';
import { forEachStore } from '../../test/store-harness.js';
import { appendChange, latestChangeSeq } from '../store/changes-repo.js';
import { insertToken } from '../store/tokens-repo.js';

// Two real server instances ("processes" A and B), each with its own store connection, on one
// SQLite data dir / one PostgreSQL database. B must never answer the old result once it applied
// the change; we wait for exactly that point (no sleeps, no timing assertions).
forEachStore('change propagation between two servers', (target) => {
  let a: TestServer;
  let b: TestServer;
  let token: string;
  beforeAll(async () => {
    a = await startTestServer({ ...target.openOptions() });
    b = await startTestServer({ ...target.openOptions(), join: true });
    token = a.rootToken;
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const verifyOn = async (server: TestServer, secret: string, scopes?: string[]) =>
    (await server.call('POST', '/v1/verify', { token, body: { token: secret, scopes } })).body;
  const appliedOnB = async () =>
    b.server.ctx.feed!.tailer.waitFor(await latestChangeSeq(target.store().db));

  it('a revocation on A is enforced by B once B applied it, every time', async () => {
    for (let round = 0; round < 10; round += 1) {
      const created = await a.call('POST', '/v1/tokens', {
        token,
        body: { name: `r${round}`, scopes: ['orders:read'] },
      });
      const secret: string = created.body.token;
      await appliedOnB();
      expect(await verifyOn(b, secret)).toMatchObject({ valid: true }); // fills B's cache
      expect(await verifyOn(b, secret)).toMatchObject({ valid: true }); // cache hit
      // Verifies racing the revocation may still be valid; after B applied it, never again.
      const racing = Array.from({ length: 5 }, () => verifyOn(b, secret));
      await a.call('POST', `/v1/tokens/${created.body.id}/revoke`, { token, body: {} });
      await Promise.all(racing);
      await appliedOnB();
      for (let i = 0; i < 3; i += 1)
        expect(await verifyOn(b, secret)).toMatchObject({ valid: false, code: 'REVOKED' });
    }
  });

  it('an update on A (scopes, IP allowlist) replaces the cached record on B', async () => {
    const created = await a.call('POST', '/v1/tokens', {
      token,
      body: { name: 'upd', scopes: ['orders:read'] },
    });
    const secret: string = created.body.token;
    await appliedOnB();
    expect(await verifyOn(b, secret, ['orders:read'])).toMatchObject({ valid: true, version: 1 });
    await a.call('PATCH', `/v1/tokens/${created.body.id}`, {
      token,
      body: { scopes: ['orders:write'] },
    });
    await appliedOnB();
    expect(await verifyOn(b, secret, ['orders:read'])).toMatchObject({
      valid: false,
      code: 'INSUFFICIENT_SCOPE',
    });
    expect(await verifyOn(b, secret, ['orders:write'])).toMatchObject({ valid: true, version: 2 });
  });

  it('the negative cache cannot hide a token created afterwards', async () => {
    const secret = generateToken({ prefix: 'gth', random: secureRandom });
    expect(await verifyOn(b, secret)).toMatchObject({ valid: false, code: 'NOT_FOUND' });
    expect(await verifyOn(b, secret)).toMatchObject({ valid: false, code: 'NOT_FOUND' });
    // Create a token with exactly this secret, the way the token service does (row + change).
    const api = await a.server.ctx.apis.byName('default');
    const store = target.store();
    const now = Date.now();
    await store.write(async (tx) => {
      const id = newId('token');
      await insertToken(
        tx,
        newTokenRecord({
          id,
          apiId: api!.id,
          hash: hashToken(secret),
          name: 'late',
          scopes: ['orders:read'],
          createdAt: now,
        }),
      );
      await appendChange(tx, store.dialect, {
        type: 'token.created',
        tokenId: id,
        tokenHash: hashToken(secret),
        apiId: api!.id,
        payload: {},
        time: now,
      });
    });
    await appliedOnB();
    expect(await verifyOn(b, secret)).toMatchObject({ valid: true });
  });

  it('revoke with wait returns a receipt once both nodes applied it', async () => {
    const created = await a.call('POST', '/v1/tokens', {
      token,
      body: { name: 'receipt', scopes: ['orders:read'] },
    });
    const res = await a.call('POST', `/v1/tokens/${created.body.id}/revoke`, {
      token,
      body: { wait: true, waitMs: 5000 },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('revoked');
    expect(res.body.receipt).toMatchObject({ verifiers: 2, confirmed: 2 });
    expect(res.body.receipt.pending).toBeUndefined();
    expect(await verifyOn(b, created.body.token)).toMatchObject({ code: 'REVOKED' });
  });

  it.skipIf(target.dialect !== 'postgres')(
    'B catches up after its LISTEN connection drops (nothing missed)',
    async () => {
      const created = await a.call('POST', '/v1/tokens', {
        token,
        body: { name: 'drop', scopes: ['orders:read'] },
      });
      await appliedOnB();
      expect(await verifyOn(b, created.body.token)).toMatchObject({ valid: true });
      b.server.ctx.feed!.tailer.dropListenConnection();
      await a.call('POST', `/v1/tokens/${created.body.id}/revoke`, { token, body: {} });
      await appliedOnB();
      expect(await verifyOn(b, created.body.token)).toMatchObject({ code: 'REVOKED' });
    },
  );
});
