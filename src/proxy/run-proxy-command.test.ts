import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../test/server-harness.js';
import { forEachStore } from '../../test/store-harness.js';
import { ProxyConfigError } from './bind-safety.js';
import { silentLogger } from './proxy-logger.js';
import { type ProxyCommandHandle, runProxyCommand } from './run-proxy-command.js';
import { startTestUpstream, type TestUpstream } from './testing/test-upstream.js';

function policyFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cmd-'));
  const file = join(dir, 'policy.yaml');
  writeFileSync(
    file,
    'api: default\nroutes:\n  "GET /health": public\n  "GET /orders/**": [orders:read]\n',
  );
  return file;
}

async function get(url: string, token?: string): Promise<number> {
  const res = await request(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  await res.body.dump();
  return res.statusCode;
}

// The proxy against the real store-backed verifier (same data dir / database as `serve`) and
// against the SDK's remote verifier: issue, pass, revoke, refused.
forEachStore('gatehouse proxy end to end', (target) => {
  let t: TestServer;
  let upstream: TestUpstream;
  beforeAll(async () => {
    t = await startTestServer({ store: target.store() });
    upstream = await startTestUpstream();
  });
  afterAll(async () => {
    await upstream?.close();
    await t?.close();
  });

  async function issue(api = 'default'): Promise<{ id: string; token: string }> {
    if (api !== 'default') await t.call('POST', '/v1/apis', { body: { name: api, prefix: api } });
    const res = await t.call('POST', '/v1/tokens', {
      body: { api, name: 'e2e', scopes: ['orders:read'], subject: 'bob', ttlSeconds: 3600 },
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  for (const mode of ['store', 'remote'] as const) {
    describe(`${mode} verifier`, () => {
      let proxy: ProxyCommandHandle;
      beforeAll(async () => {
        const base = {
          upstream: upstream.url,
          policy: policyFile(),
          port: 0,
          logger: silentLogger,
        };
        proxy =
          mode === 'store'
            ? await runProxyCommand({ ...base, ...target.openOptions() })
            : await runProxyCommand({
                ...base,
                remote: { url: t.url, token: await t.managementToken(['tokens:verify']) },
              });
      });
      afterAll(() => proxy?.close());

      it('passes a live token, then refuses it once revoked', async () => {
        const { id, token } = await issue();
        expect(await get(`${proxy.url}/orders/1`, token)).toBe(200);
        expect(upstream.seen.at(-1)!.headers['x-gatehouse-token-id']).toBe(id);
        expect(await get(`${proxy.url}/orders/1`)).toBe(401);
        expect(await get(`${proxy.url}/health`)).toBe(200);
        await t.call('POST', `/v1/tokens/${id}/revoke`, { body: {} });
        await vi.waitFor(async () => expect(await get(`${proxy.url}/orders/1`, token)).toBe(401), {
          timeout: 5000,
          interval: 20,
        });
      });

      it('refuses tokens of another API than the policy names', async () => {
        const other = await issue(`o${mode.slice(0, 3)}`);
        expect(await get(`${proxy.url}/orders/1`, other.token)).toBe(401);
      });
    });
  }

  it('writes request.proxied and request.denied events to the audit log (store mode)', async () => {
    const proxy = await runProxyCommand({
      upstream: upstream.url,
      policy: policyFile(),
      port: 0,
      logger: silentLogger,
      ...target.openOptions(),
    });
    const { id, token } = await issue();
    await get(`${proxy.url}/orders/5?q=secret`, token);
    await get(`${proxy.url}/nope`);
    await proxy.close(); // flushes the audit queue
    const rows = await target
      .store()
      .db.selectFrom('audit_events')
      .selectAll()
      .where('type', 'in', ['request.proxied', 'request.denied'])
      .where((eb) => eb.or([eb('token_id', '=', id), eb('path', '=', '/nope')]))
      .execute();
    expect(rows.map((r) => [r.type, r.path, r.status, r.result]).sort()).toEqual([
      ['request.denied', '/nope', 403, 'UNMATCHED_ROUTE'],
      ['request.proxied', '/orders/5', 200, 'VALID'],
    ]);
    const proxied = rows.find((r) => r.type === 'request.proxied')!;
    expect(proxied).toMatchObject({
      subject: 'bob',
      api: 'default',
      method: 'GET',
      ip: '127.0.0.1',
    });
    expect(proxied.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('reports request events to the server audit log (remote mode)', async () => {
    const verifyToken = await t.managementToken(['tokens:verify']);
    const proxy = await runProxyCommand({
      upstream: upstream.url,
      policy: policyFile(),
      port: 0,
      logger: silentLogger,
      remote: { url: t.url, token: verifyToken },
    });
    const { id, token } = await issue();
    await get(`${proxy.url}/orders/7?q=secret`, token);
    await get(`${proxy.url}/nope-remote`);
    await proxy.close(); // closes the verifier, which sends what its reporter queued
    await t.server.ctx.audit.flush();
    const rows = await target
      .store()
      .db.selectFrom('audit_events')
      .selectAll()
      .where('type', 'in', ['request.proxied', 'request.denied'])
      .where((eb) => eb.or([eb('token_id', '=', id), eb('path', '=', '/nope-remote')]))
      .execute();
    expect(rows.map((r) => [r.type, r.path, r.status, r.result]).sort()).toEqual([
      ['request.denied', '/nope-remote', 403, 'UNMATCHED_ROUTE'],
      ['request.proxied', '/orders/7', 200, 'VALID'],
    ]);
  });
});

describe('runProxyCommand options', () => {
  it('refuses half a TLS pair and insecure binds before listening', async () => {
    const base = { upstream: 'http://127.0.0.1:9', policy: policyFile(), logger: silentLogger };
    await expect(runProxyCommand({ ...base, tlsCert: 'cert.pem' })).rejects.toBeInstanceOf(
      ProxyConfigError,
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cmd-'));
    await expect(runProxyCommand({ ...base, host: '0.0.0.0', dataDir })).rejects.toMatchObject({
      code: 'insecure_bind',
    });
  });
});
