import type { TokenVerifier } from '@gatehouse/sdk';
import { type GatehouseEnv, gatehouse } from '@gatehouse/sdk/hono';
import { Hono } from 'hono';

/**
 * The orders API on Hono; the identity is `c.get('gatehouse')`.
 * @example serve({ fetch: createApp(verifier).fetch, port: 3000 });
 */
export function createApp(verifier: TokenVerifier): Hono<GatehouseEnv> {
  const app = new Hono<GatehouseEnv>();
  app.get('/health', (c) => c.json({ ok: true }));
  app.get('/orders', gatehouse({ verifier, realm: 'orders', scopes: ['orders:read'] }), (c) =>
    c.json({ orders: [{ id: 1, item: 'tea' }], caller: c.get('gatehouse').subject }),
  );
  app.post(
    '/orders',
    gatehouse({ verifier, realm: 'orders', scopes: ['orders:write'] }),
    async (c) =>
      c.json(
        { created: await c.req.json().catch(() => ({})), by: c.get('gatehouse').tokenId },
        201,
      ),
  );
  return app;
}
