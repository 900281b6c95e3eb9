import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { noopAuditSink } from '../src/audit/audit-sink.js';
import { createLogger } from '../src/server/logger.js';
import { startServer } from '../src/server/runtime.js';

/** A server under test: where to POST, with which body and headers. */
export interface HttpTarget {
  name: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  close(): Promise<void>;
}

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/**
 * Gatehouse itself: `POST /v1/verify` with a management token, verifying a cached token. With
 * `audit: false` the audit log is a no-op, to measure what auditing every verification costs.
 */
export async function gatehouseTarget(options: { audit?: boolean } = {}): Promise<HttpTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-http-'));
  let root = '';
  const server = await startServer({
    port: 0,
    dataDir: dir,
    logger: createLogger({ level: 'silent' }),
    ...(options.audit === false ? { audit: noopAuditSink } : {}),
    onRootToken: (secret) => {
      root = secret;
    },
  });
  const issued = await server.ctx.tokens.create(
    { name: 'bench', scopes: ['orders:read'] },
    { tokenId: null },
  );
  return {
    name:
      options.audit === false
        ? 'gatehouse POST /v1/verify, audit off'
        : 'gatehouse POST /v1/verify',
    url: `${server.url}/v1/verify`,
    body: JSON.stringify({ token: issued.secret, scopes: ['orders:read'] }),
    headers: { authorization: `Bearer ${root}` },
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The floor: bare `node:http`, reads the body, answers a small JSON object. */
export async function bareNodeTarget(): Promise<HttpTarget> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"valid":true,"tokenId":"tok_bench","scopes":["orders:read"]}');
    });
  });
  const url = await listen(server);
  return {
    name: 'bare node:http',
    url: `${url}/v1/verify`,
    body: '{"token":"x"}',
    headers: {},
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A minimal fastify route (JSON body parsed, object returned). */
export async function fastifyTarget(): Promise<HttpTarget> {
  const app = Fastify({ logger: false });
  app.post('/v1/verify', async () => ({
    valid: true,
    tokenId: 'tok_bench',
    scopes: ['orders:read'],
  }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    name: 'minimal fastify',
    url: `http://127.0.0.1:${port}/v1/verify`,
    body: '{"token":"x"}',
    headers: {},
    close: () => app.close(),
  };
}
