import {
  createClient,
  createVerifier,
  type GatehouseClient,
  type RemoteVerifier,
  type TokenVerifier,
} from '@gatehouse/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/server-harness.js';

/** A running example app. */
export interface ListeningApp {
  url: string;
  close(): Promise<void>;
}

/**
 * Exercises an example orders API the way a user would: a real Gatehouse server, tokens created
 * through the SDK client, the example app verifying through the SDK's remote verifier.
 * @example describeOrdersApi('express example', async (verifier) => listenExpress(createApp(verifier)));
 */
export function describeOrdersApi(
  title: string,
  listen: (verifier: TokenVerifier) => Promise<ListeningApp>,
): void {
  describe(title, () => {
    let gatehouse: TestServer;
    let client: GatehouseClient;
    let verifier: RemoteVerifier;
    let app: ListeningApp;
    let feed = false;

    beforeAll(async () => {
      gatehouse = await startTestServer();
      client = createClient({ url: gatehouse.url, token: gatehouse.rootToken });
      const verifyToken = await gatehouse.managementToken(['tokens:verify']);
      // Follow the change feed when this server has it; otherwise every check asks the server.
      const probe = await fetch(`${gatehouse.url}/v1/events?after=0`, {
        headers: { authorization: `Bearer ${verifyToken}` },
      });
      feed = probe.ok;
      verifier = createVerifier({
        url: gatehouse.url,
        token: verifyToken,
        ...(probe.ok ? {} : { changeFeed: false }),
      });
      if (probe.ok) await verifier.ready();
      app = await listen(verifier);
    });
    afterAll(async () => {
      await app?.close();
      await verifier?.close();
      await gatehouse?.close();
    });

    const call = (method: string, token?: string): Promise<Response> =>
      fetch(`${app.url}/orders`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: method === 'POST' ? JSON.stringify({ item: 'scones' }) : undefined,
      });

    it('serves the public route and challenges anonymous calls', async () => {
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      const anonymous = await call('GET');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="orders"');
    });

    it('lets a reader read but not write, and stops a revoked token', async () => {
      const reader = await client.tokens.create({
        name: 'reader',
        subject: 'alice',
        scopes: ['orders:read'],
        ttlSeconds: 3600,
      });
      const read = await call('GET', reader.token);
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ caller: 'alice' });
      const write = await call('POST', reader.token);
      expect(write.status).toBe(403);
      expect(write.headers.get('www-authenticate')).toContain('scope="orders:write"');
      // With a feed, `wait` returns once every subscribed verifier (ours included) applied it.
      await client.tokens.revoke(reader.id, { wait: feed });
      expect((await call('GET', reader.token)).status).toBe(401);
    });

    it('lets a writer create orders', async () => {
      const writer = await client.tokens.create({
        name: 'writer',
        scopes: ['orders:*'],
        ttlSeconds: 3600,
      });
      const created = await call('POST', writer.token);
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({ created: { item: 'scones' }, by: writer.id });
    });
  });
}
