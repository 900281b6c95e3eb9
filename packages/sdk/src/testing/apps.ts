import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { createAuthenticator, type GatehouseMiddlewareOptions } from '../index.js';
import { gatehouse as expressGatehouse } from '../middleware/express.js';
import { gatehousePlugin } from '../middleware/fastify.js';
import { gatehouse as honoGatehouse } from '../middleware/hono.js';

/** One protected app under test: `GET /public`, `GET /orders` (orders:read), `POST /orders` (orders:write). */
export interface AppUnderTest {
  url: string;
  close(): Promise<void>;
}

export type AppFactory = (options: GatehouseMiddlewareOptions) => Promise<AppUnderTest>;

const READ = ['orders:read'];
const WRITE = ['orders:write'];

async function listen(server: Server): Promise<AppUnderTest> {
  if (!server.listening) {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The same three routes in every framework, plus the framework-free authenticator on node:http. */
export const APPS: Record<string, AppFactory> = {
  async express(options) {
    const app = express();
    app.get('/public', (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/orders', expressGatehouse({ ...options, scopes: READ }), (req, res) => {
      res.json({ identity: req.gatehouse });
    });
    app.post('/orders', expressGatehouse({ ...options, scopes: WRITE }), (req, res) => {
      res.status(201).json({ identity: req.gatehouse });
    });
    return listen(createServer(app));
  },
  async fastify(options) {
    const app = Fastify();
    app.get('/public', async () => ({ ok: true }));
    await app.register(async (scope) => {
      await scope.register(gatehousePlugin, { ...options, scopes: READ });
      scope.get('/orders', async (request) => ({ identity: request.gatehouse }));
      scope.post('/orders', { config: { gatehouse: { scopes: WRITE } } }, async (request, reply) =>
        reply.code(201).send({ identity: request.gatehouse }),
      );
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
  async hono(options) {
    const app = new Hono();
    app.get('/public', (c) => c.json({ ok: true }));
    app.get('/orders', honoGatehouse({ ...options, scopes: READ }), (c) =>
      c.json({ identity: c.get('gatehouse') }),
    );
    app.post('/orders', honoGatehouse({ ...options, scopes: WRITE }), (c) =>
      c.json({ identity: c.get('gatehouse') }, 201),
    );
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    return listen(server);
  },
  async verifier(options) {
    // Framework-free: node:http plus the same authenticator the adapters use.
    const auth = createAuthenticator(options);
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/public')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      const scopes = req.method === 'POST' ? WRITE : READ;
      const view = {
        header: (name: string) => req.headers[name],
        url: req.url ?? '/',
        ip: req.socket.remoteAddress,
      };
      auth.authenticate(view, scopes).then((outcome) => {
        if (!outcome.ok) {
          res.writeHead(outcome.status, { ...outcome.headers, 'content-type': 'application/json' });
          return void res.end(JSON.stringify(outcome.body));
        }
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ identity: outcome.identity }));
      });
    });
    return listen(server);
  },
};
