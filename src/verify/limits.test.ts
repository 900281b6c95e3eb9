import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/server-harness.js';
import { redisAvailable, redisUrl } from '../../test/services.js';
import { forEachStore } from '../../test/store-harness.js';
import { findTokenById } from '../store/tokens-repo.js';

const redisUp = await redisAvailable;

const verifyAll = async (server: TestServer, token: string, secret: string, n: number) =>
  (
    await Promise.all(
      Array.from({ length: n }, () =>
        server.call('POST', '/v1/verify', { token, body: { token: secret } }),
      ),
    )
  ).map((res) => res.body);

const codes = (results: Array<{ valid: boolean; code?: string }>) =>
  results.map((r) => (r.valid ? 'VALID' : r.code)).sort();

forEachStore('rate limits and maxUses', (target) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ...target.openOptions() });
  });
  afterAll(() => t?.close());

  it('maxUses is exact under concurrent verifies; usage reaches the store on shutdown', async () => {
    const created = await t.call('POST', '/v1/tokens', {
      body: { name: 'five', scopes: [], maxUses: 5 },
    });
    // A second server on the same store does the verifying, then shuts down (flushing usage).
    const node = await startTestServer({ ...target.openOptions(), join: true });
    const results = await verifyAll(node, t.rootToken, created.body.token, 20);
    expect(codes(results)).toEqual([
      ...Array(15).fill('USAGE_EXCEEDED'),
      ...Array(5).fill('VALID'),
    ]);
    expect(results.find((r) => r.valid)).toMatchObject({ cacheable: false });
    await node.close();
    const row = await findTokenById(target.store().db, created.body.id);
    expect(row?.uses).toBe(5);
    expect(row?.lastUsedAt).not.toBeNull();
  });

  it('a per-token rate limit (memory) allows exactly `limit` per window', async () => {
    const created = await t.call('POST', '/v1/tokens', {
      body: { name: 'rl', scopes: [], rateLimit: { limit: 3, windowSeconds: 60 } },
    });
    const results = await verifyAll(t, t.rootToken, created.body.token, 8);
    expect(codes(results)).toEqual([...Array(5).fill('RATE_LIMITED'), ...Array(3).fill('VALID')]);
    const limited = results.find((r) => !r.valid);
    expect(limited.retryAfterSeconds).toBeGreaterThan(0);
    expect(results.find((r) => r.valid).rateLimit).toMatchObject({ limit: 3 });
  });
});

describe.skipIf(!redisUp)('rate limits shared through Redis', () => {
  forEachStore('redis rate limit', (target) => {
    let a: TestServer;
    let b: TestServer;
    beforeAll(async () => {
      a = await startTestServer({ ...target.openOptions(), redisUrl });
      b = await startTestServer({ ...target.openOptions(), redisUrl, join: true });
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it('two servers share one window: the limit holds across nodes', async () => {
      const created = await a.call('POST', '/v1/tokens', {
        body: { name: 'shared', scopes: [], rateLimit: { limit: 4, windowSeconds: 60 } },
      });
      const secret: string = created.body.token;
      const [onA, onB] = await Promise.all([
        verifyAll(a, a.rootToken, secret, 5),
        verifyAll(b, a.rootToken, secret, 5),
      ]);
      expect(codes([...onA, ...onB])).toEqual([
        ...Array(6).fill('RATE_LIMITED'),
        ...Array(4).fill('VALID'),
      ]);
    });
  });
});
