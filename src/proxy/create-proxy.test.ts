import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxy, type ProxyHandle } from './create-proxy.js';
import { silentLogger } from './proxy-logger.js';
import { memoryAudit, memoryVerifier } from './testing/memory-verifier.js';
import { startTestUpstream, type TestUpstream } from './testing/test-upstream.js';

const POLICY = `
routes:
  "GET /health": public
  "GET /orders/**": [orders:read]
  "POST /orders": [orders:write]
  "POST /stream-in": public
  "GET /stream-out": public
  "GET /slow": public
`;

const verifier = memoryVerifier({
  gth_reader: { tokenId: 'tok_reader', api: 'default', subject: 'alice', scopes: ['orders:read'] },
  gth_writer: { tokenId: 'tok_writer', api: 'default', scopes: ['orders:*'] },
  gth_limited: { tokenId: 'tok_lim', api: 'default', scopes: ['orders:read'], rateLimited: true },
  ghm_admin: { tokenId: 'tok_mgmt', api: 'gatehouse', scopes: ['orders:read', 'admin'] },
});
const audit = memoryAudit();
let upstream: TestUpstream;
let proxy: ProxyHandle;

beforeAll(async () => {
  upstream = await startTestUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proxy-'));
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  proxy = await createProxy({
    upstream: upstream.url,
    policy: join(dir, 'policy.yaml'),
    verifier,
    audit,
    port: 0,
    upstreamTimeoutMs: 300,
    logger: silentLogger,
    watchPolicy: false,
  });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

async function call(
  path: string,
  init: { method?: string; token?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await request(proxy.url + path, { method: (init.method ?? 'GET') as 'GET', headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : null };
}

describe('gateway proxy', () => {
  it('denies unmatched routes with 403 without reaching the upstream', async () => {
    const before = upstream.seen.length;
    const res = await call('/admin', { token: 'gth_writer' });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('forbidden');
    expect(upstream.seen.length).toBe(before);
  });

  it('passes public routes without credentials and drops forged identity headers', async () => {
    const res = await call('/health', { headers: { 'x-gatehouse-subject': 'root' } });
    expect(res.status).toBe(200);
    const seen = upstream.seen.at(-1)!;
    expect(seen.headers['x-gatehouse-subject']).toBeUndefined();
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('answers RFC 6750 challenges', async () => {
    const none = await call('/orders/1');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="gatehouse"');
    const malformed = await call('/orders/1', { headers: { authorization: 'Bearer a b' } });
    expect(malformed.status).toBe(400);
    expect(malformed.headers['www-authenticate']).toBe(
      'Bearer realm="gatehouse", error="invalid_request"',
    );
    const unknown = await call('/orders/1', { token: 'gth_nope' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers['www-authenticate']).toBe(
      'Bearer realm="gatehouse", error="invalid_token"',
    );
    const scope = await call('/orders', { method: 'POST', token: 'gth_reader' });
    expect(scope.status).toBe(403);
    expect(scope.headers['www-authenticate']).toBe(
      'Bearer realm="gatehouse", error="insufficient_scope", scope="orders:write"',
    );
    const limited = await call('/orders/1', { token: 'gth_limited' });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
  });

  it('never lets a management token through', async () => {
    const res = await call('/orders/1', { token: 'ghm_admin' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('forwards identity headers, strips the credential, and treats HEAD as GET', async () => {
    const res = await call('/orders/42?x=1', { token: 'gth_reader' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ method: 'GET', url: '/orders/42?x=1' });
    const seen = upstream.seen.at(-1)!;
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers['x-gatehouse-token-id']).toBe('tok_reader');
    expect(seen.headers['x-gatehouse-subject']).toBe('alice');
    expect(seen.headers['x-gatehouse-scopes']).toBe('orders:read');
    expect(verifier.last).toMatchObject({ scopes: ['orders:read'], ip: '127.0.0.1' });
    const head = await request(`${proxy.url}/orders/42`, {
      method: 'HEAD',
      headers: { authorization: 'Bearer gth_reader' },
    });
    await head.body.dump();
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-upstream']).toBe('yes');
  });

  it('streams request bodies: the upstream reads before the client has finished', async () => {
    const body = new PassThrough();
    const pending = request(`${proxy.url}/stream-in`, { method: 'POST', body });
    body.write(Buffer.alloc(64 * 1024, 1));
    await upstream.firstChunkIn(); // would hang if the proxy buffered the whole body
    for (let i = 0; i < 64; i++) body.write(Buffer.alloc(64 * 1024, 2));
    body.end();
    const res = await pending;
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ bodyBytes: 65 * 64 * 1024 });
  });

  it('streams response bodies: the client reads before the upstream has finished', async () => {
    const res = await request(`${proxy.url}/stream-out`);
    const reader = res.body[Symbol.asyncIterator]();
    const first = await reader.next(); // would hang if the proxy buffered the response
    expect(String(first.value)).toBe('first-chunk\n');
    upstream.finishStreamOut();
    let rest = '';
    for (let next = await reader.next(); !next.done; next = await reader.next()) rest += next.value;
    expect(rest).toBe('last-chunk\n');
  });

  it('answers 504 on upstream timeout and stays up', async () => {
    const res = await call('/slow');
    expect(res.status).toBe(504);
    expect((await call('/health')).status).toBe(200);
  });

  it('audits every request with status, identity and latency', async () => {
    audit.events.length = 0;
    await call('/orders/7?secret=1', { token: 'gth_reader' });
    await call('/nowhere');
    const [proxied, denied] = audit.events;
    expect(proxied).toMatchObject({
      type: 'request.proxied',
      tokenId: 'tok_reader',
      subject: 'alice',
      api: 'default',
      method: 'GET',
      path: '/orders/7',
      status: 200,
      ip: '127.0.0.1',
      result: 'VALID',
    });
    expect(proxied!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(denied).toMatchObject({
      type: 'request.denied',
      status: 403,
      result: 'UNMATCHED_ROUTE',
    });
  });

  it('fails closed with 503 when the verifier is unreachable', async () => {
    verifier.failing = true;
    try {
      const res = await call('/orders/1', { token: 'gth_reader' });
      expect(res.status).toBe(503);
    } finally {
      verifier.failing = false;
    }
  });
});

describe('gateway proxy with the upstream down', () => {
  it('answers 502', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proxy-'));
    writeFileSync(join(dir, 'p.yaml'), 'routes:\n  "GET /**": public\n');
    const down = await startTestUpstream();
    await down.close();
    const p = await createProxy({
      upstream: down.url,
      policy: join(dir, 'p.yaml'),
      verifier,
      port: 0,
      logger: silentLogger,
      watchPolicy: false,
    });
    try {
      const res = await request(`${p.url}/x`);
      expect(res.statusCode).toBe(502);
      expect(await res.body.json()).toMatchObject({ error: 'bad_gateway' });
    } finally {
      await p.close();
    }
  });
});
