import type { TokenVerifier } from '@gatehouse/sdk';
import { gatehouse } from '@gatehouse/sdk/express';
import express, { type Express } from 'express';

/**
 * A small orders API protected by Gatehouse: `GET /orders` needs `orders:read`,
 * `POST /orders` needs `orders:write`, `GET /health` is public.
 * @example createApp(createVerifier({ url, token })).listen(3000);
 */
export function createApp(verifier: TokenVerifier): Express {
  const app = express();
  app.use(express.json());
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.get(
    '/orders',
    gatehouse({ verifier, realm: 'orders', scopes: ['orders:read'] }),
    (req, res) => {
      res.json({ orders: [{ id: 1, item: 'tea' }], caller: req.gatehouse?.subject ?? null });
    },
  );
  app.post(
    '/orders',
    gatehouse({ verifier, realm: 'orders', scopes: ['orders:write'] }),
    (req, res) => {
      res.status(201).json({ created: req.body ?? {}, by: req.gatehouse?.tokenId });
    },
  );
  return app;
}
