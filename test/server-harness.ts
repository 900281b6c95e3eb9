import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@gatehouse/core';
import { createLogger } from '../src/server/logger.js';
import { type RunningServer, type StartServerOptions, startServer } from '../src/server/runtime.js';

export interface TestServer {
  server: RunningServer;
  url: string;
  /** The root admin token (scope `admin`) created by bootstrap ('' when the server joined a store). */
  rootToken: string;
  /** JSON request helper: returns status, headers and parsed body. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string | null; headers?: Record<string, string> },
  ): Promise<{
    status: number;
    headers: Headers;
    // biome-ignore lint/suspicious/noExplicitAny: test bodies are asserted field by field
    body: any;
  }>;
  /** Creates a management token with the given scopes and returns its secret. */
  managementToken(scopes: string[]): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts a real Gatehouse server on 127.0.0.1 (random port) over a fresh SQLite dir, or over the
 * store options given (e.g. a PostgreSQL URL from `forEachStore`).
 * @example const t = await startTestServer(); const res = await t.call('GET', '/v1/apis', { token: t.rootToken });
 */
export async function startTestServer(
  options: StartServerOptions & {
    clock?: Clock;
    /** Join a store another test server already bootstrapped: `rootToken` is then ''. */
    join?: boolean;
  } = {},
): Promise<TestServer> {
  const { join: joining, ...serverOptions } = options;
  const ownDir =
    options.dataDir || options.databaseUrl || options.store
      ? undefined
      : mkdtempSync(join(tmpdir(), 'gatehouse-srv-'));
  let rootToken = '';
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ level: process.env.GATEHOUSE_TEST_LOG_LEVEL ?? 'silent' }),
    ...(ownDir ? { dataDir: ownDir } : {}),
    ...serverOptions,
    onRootToken: (secret) => {
      rootToken = secret;
    },
  });
  if (!rootToken && !joining)
    throw new Error('startTestServer needs an empty store (no root token was created)');
  const call: TestServer['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? rootToken : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    const res = await fetch(`${server.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
  return {
    server,
    url: server.url,
    rootToken,
    call,
    async managementToken(scopes) {
      const res = await call('POST', '/v1/tokens', {
        body: { api: 'gatehouse', name: `test ${scopes.join(' ')}`, scopes },
      });
      if (res.status !== 201)
        throw new Error(`could not create management token: ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    async close() {
      await server.close();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
