import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@gatehouse/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server-harness.js';
import { forEachStore } from '../../../test/store-harness.js';

const POLICY = `
routes:
  "GET /health": public
  "GET /orders/**": [orders:read]
  "POST /orders": [orders:write]
`;

forEachStore('forward auth', (target) => {
  let t: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  let reader = '';
  let writer = '';
  let shortLived = '';
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-fa-'));
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    t = await startTestServer({
      store: target.store(),
      clock,
      policyFile: join(dir, 'policy.yaml'),
    });
    const create = async (scopes: string[], ttlSeconds = 86_400): Promise<string> => {
      const res = await t.call('POST', '/v1/tokens', {
        body: { name: 'fa', scopes, subject: 'alice', ttlSeconds },
      });
      expect(res.status).toBe(201);
      return res.body.token;
    };
    reader = await create(['orders:read']);
    writer = await create(['orders:*']);
    shortLived = await create(['orders:read'], 60);
  });
  afterAll(() => t?.close());

  /** What nginx's auth_request sends: the original method and URI in X-Original-* headers. */
  async function nginxStyle(method: string, uri: string, token?: string, query = '') {
    const headers: Record<string, string> = { 'x-original-method': method, 'x-original-uri': uri };
    if (token) headers.authorization = token.includes(' ') ? token : `Bearer ${token}`;
    return t.call('GET', `/v1/forward-auth${query}`, { token: null, headers });
  }

  it('answers 200 for public routes without credentials, 403 for unmatched ones', async () => {
    const pub = await nginxStyle('GET', '/health');
    expect(pub.status).toBe(200);
    expect(pub.headers.get('x-gatehouse-token-id')).toBeNull();
    expect((await nginxStyle('GET', '/admin', writer)).status).toBe(403);
    expect((await nginxStyle('GET', '/orders/../admin', writer)).status).toBe(403);
  });

  it('answers 200 with the identity headers for a valid token', async () => {
    const res = await nginxStyle('GET', '/orders/42?expand=items', reader);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gatehouse-token-id')).toMatch(/^tok_/);
    expect(res.headers.get('x-gatehouse-subject')).toBe('alice');
    expect(res.headers.get('x-gatehouse-scopes')).toBe('orders:read');
  });

  it('answers the RFC 6750 challenges, malformed as 401 invalid_request', async () => {
    const none = await nginxStyle('GET', '/orders/1');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
    const basic = await nginxStyle('GET', '/orders/1', 'Basic dXNlcjpwdw==');
    expect(basic.status).toBe(401);
    expect(basic.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
    const malformed = await nginxStyle('GET', '/orders/1', 'Bearer a b');
    expect(malformed.status).toBe(401);
    expect(malformed.headers.get('www-authenticate')).toBe(
      'Bearer realm="gatehouse", error="invalid_request"',
    );
    const scope = await nginxStyle('POST', '/orders', reader);
    expect(scope.status).toBe(403);
    expect(scope.headers.get('www-authenticate')).toBe(
      'Bearer realm="gatehouse", error="insufficient_scope", scope="orders:write"',
    );
    const forged = await nginxStyle('GET', '/orders/1', `${reader.slice(0, -1)}x`);
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses management tokens, expired and revoked tokens alike', async () => {
    const root = await nginxStyle('GET', '/orders/1', t.rootToken);
    expect(root.status).toBe(401);
    expect(root.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const created = await t.call('POST', '/v1/tokens', {
      body: { name: 'r', scopes: ['orders:read'], ttlSeconds: 3600 },
    });
    await t.call('POST', `/v1/tokens/${created.body.id}/revoke`, { body: {} });
    const revoked = await nginxStyle('GET', '/orders/1', created.body.token);
    clock.advance(61_000);
    const expired = await nginxStyle('GET', '/orders/1', shortLived);
    for (const res of [revoked, expired]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(
        'Bearer realm="gatehouse", error="invalid_token"',
      );
      expect(res.body).toEqual({
        error: 'invalid_token',
        error_description: 'the access token is invalid',
      });
    }
  });

  it('adds the scopes= of the gateway location (space or comma separated)', async () => {
    expect((await nginxStyle('GET', '/orders/1', reader, '?scopes=orders:read')).status).toBe(200);
    const more = await nginxStyle('GET', '/orders/1', reader, '?scopes=orders:read,orders:export');
    expect(more.status).toBe(403);
    expect(more.headers.get('www-authenticate')).toContain('scope="orders:read orders:export"');
    expect(
      (await nginxStyle('GET', '/orders/1', writer, '?scopes=orders:read%20orders:export')).status,
    ).toBe(200);
    expect((await nginxStyle('GET', '/health', undefined, '?scopes=orders:read')).status).toBe(401);
    expect((await nginxStyle('GET', '/orders/1', writer, '?scopes=bad%20scope!')).status).toBe(403);
  });

  it('reads Traefik X-Forwarded-* headers and Envoy path_prefix requests, any method and body', async () => {
    const traefik = await t.call('GET', '/v1/forward-auth', {
      token: writer,
      headers: {
        'x-forwarded-method': 'POST',
        'x-forwarded-uri': '/orders',
        'x-forwarded-for': '10.0.0.1',
      },
    });
    expect(traefik.status).toBe(200);
    const envoy = await t.call('POST', '/v1/forward-auth/orders', {
      token: reader,
      body: '<xml/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(envoy.status).toBe(403);
    const envoyGet = await t.call('GET', '/v1/forward-auth/orders/9?scopes=nope', {
      token: reader,
    });
    expect(envoyGet.status).toBe(200);
    const head = await fetch(`${t.url}/v1/forward-auth`, {
      method: 'HEAD',
      headers: { 'x-original-uri': '/health' },
    });
    expect(head.status).toBe(200);
  });
});

it('refuses to start with a bad policy file, naming line and column', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-fa-'));
  writeFileSync(join(dir, 'policy.yaml'), 'routes:\n  "GET /x": [ok:read]\n  "GET /y": nope\n');
  await expect(startTestServer({ policyFile: join(dir, 'policy.yaml') })).rejects.toThrow(
    /policy\.yaml:3:13: route "GET \/y" must map to "public"/,
  );
});
