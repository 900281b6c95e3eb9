/**
 * The tiny app measured by bench/middleware.ts, for each framework: one `GET /orders/1` route
 * answering a small fixed JSON body. Started bare, or with the Gatehouse middleware in front of
 * the very same handler, so the only difference between the two is the middleware.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenVerifier } from '@gatehouse/sdk';
import { gatehouse as expressGatehouse } from '@gatehouse/sdk/express';
import { gatehousePlugin } from '@gatehouse/sdk/fastify';
import { type GatehouseEnv, gatehouse as honoGatehouse } from '@gatehouse/sdk/hono';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';

export const FRAMEWORKS = ['express', 'fastify', 'hono'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The route under load and the scope the protected variant requires. */
export const BENCH_PATH = '/orders/1';
export const BENCH_SCOPES = ['orders:read'];

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

const ORDER = { id: 1, item: 'tea', quantity: 2, status: 'shipped' };

/**
 * Starts the app on 127.0.0.1:0 in this process; with `verifier`, protected by the Gatehouse
 * middleware requiring {@link BENCH_SCOPES}.
 * @example const app = await startBenchApp('express', verifier); await fetch(app.url + BENCH_PATH);
 */
export async function startBenchApp(
  framework: Framework,
  verifier?: TokenVerifier,
): Promise<RunningApp> {
  if (framework === 'express') return startExpress(verifier);
  if (framework === 'fastify') return startFastify(verifier);
  return startHono(verifier);
}

async function startExpress(verifier: TokenVerifier | undefined): Promise<RunningApp> {
  const app = express();
  const handler: express.RequestHandler = (_req, res) => {
    res.json(ORDER);
  };
  if (verifier) app.get(BENCH_PATH, expressGatehouse({ verifier, scopes: BENCH_SCOPES }), handler);
  else app.get(BENCH_PATH, handler);
  return listenNode(createServer(app));
}

async function startFastify(verifier: TokenVerifier | undefined): Promise<RunningApp> {
  const app = Fastify();
  if (verifier) await app.register(gatehousePlugin, { verifier, scopes: BENCH_SCOPES });
  app.get(BENCH_PATH, async () => ORDER);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

async function startHono(verifier: TokenVerifier | undefined): Promise<RunningApp> {
  const app = new Hono<GatehouseEnv>();
  if (verifier) {
    app.get(BENCH_PATH, honoGatehouse({ verifier, scopes: BENCH_SCOPES }), (c) => c.json(ORDER));
  } else app.get(BENCH_PATH, (c) => c.json(ORDER));
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started as Server),
    );
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => closeNode(server),
  };
}

async function listenNode(server: Server): Promise<RunningApp> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => closeNode(server) };
}

function closeNode(server: Server): Promise<void> {
  // autocannon has gone by then, but idle keep-alive sockets would hold close() open.
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
