import type { TokenVerifier } from '@gatehouse/sdk';
import { gatehousePlugin } from '@gatehouse/sdk/fastify';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * The orders API on Fastify: one plugin registration, scopes per route in `config.gatehouse`.
 * @example const app = await createApp(verifier); await app.listen({ port: 3000 });
 */
export async function createApp(verifier: TokenVerifier): Promise<FastifyInstance> {
  const app = Fastify();
  app.get('/health', async () => ({ ok: true }));
  await app.register(async (api) => {
    await api.register(gatehousePlugin, { verifier, realm: 'orders' });
    api.get('/orders', { config: { gatehouse: { scopes: ['orders:read'] } } }, async (request) => ({
      orders: [{ id: 1, item: 'tea' }],
      caller: request.gatehouse?.subject ?? null,
    }));
    api.post(
      '/orders',
      { config: { gatehouse: { scopes: ['orders:write'] } } },
      async (request, reply) =>
        reply.code(201).send({ created: request.body ?? {}, by: request.gatehouse?.tokenId }),
    );
  });
  return app;
}
