import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server-harness.js';
import { startTestUpstream, type TestUpstream } from '../../proxy/testing/test-upstream.js';

// A real nginx (Debian's package) in front of a test upstream, asking Gatehouse via auth_request.
const nginxBin = ['/usr/sbin/nginx', 'nginx'].find((bin) => spawnSync(bin, ['-v']).status === 0);
if (!nginxBin) {
  if (process.env.CI === 'true')
    throw new Error('nginx is required in CI (apt-get install -y nginx)');
  console.warn('[skip] nginx forward-auth test: nginx is not installed (apt-get install -y nginx)');
}

const POLICY = `
routes:
  "GET /health": public
  "GET /orders/**": [orders:read]
  "POST /orders": [orders:write]
  "GET /reports/**": [reports:read]
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => resolve(!!socket.destroy()));
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** The config docs/enforce.md shows, with test ports filled in. */
function nginxConfig(prefix: string, port: number, gatehouse: string, upstream: string): string {
  const authLocation = (name: string, query: string) => `
    location = ${name} {
      internal;
      proxy_pass ${gatehouse}/v1/forward-auth${query};
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-Method $request_method;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Forwarded-For $remote_addr;
    }`;
  const protect = (auth: string) => `
      auth_request ${auth};
      auth_request_set $gatehouse_token_id $upstream_http_x_gatehouse_token_id;
      auth_request_set $gatehouse_subject $upstream_http_x_gatehouse_subject;
      auth_request_set $gatehouse_scopes $upstream_http_x_gatehouse_scopes;
      proxy_set_header X-Gatehouse-Token-Id $gatehouse_token_id;
      proxy_set_header X-Gatehouse-Subject $gatehouse_subject;
      proxy_set_header X-Gatehouse-Scopes $gatehouse_scopes;
      proxy_set_header Authorization "";
      proxy_pass ${upstream};`;
  return `
error_log ${prefix}/error.log warn;
pid ${prefix}/nginx.pid;
daemon off;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    ${authLocation('/_gatehouse_auth', '')}
    ${authLocation('/_gatehouse_auth_export', '?scopes=reports:export')}
    location /reports/ { ${protect('/_gatehouse_auth_export')} }
    location / { ${protect('/_gatehouse_auth')} }
  }
}
`;
}

describe.skipIf(!nginxBin)('forward auth behind a real nginx (auth_request)', () => {
  let t: TestServer;
  let upstream: TestUpstream;
  let nginx: ChildProcess | undefined;
  let base = '';
  let prefix = '';
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-nginx-'));
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    t = await startTestServer({ policyFile: join(dir, 'policy.yaml') });
    upstream = await startTestUpstream();
    for (const [name, scopes] of Object.entries({
      reader: ['orders:read'],
      writer: ['orders:*'],
      reports: ['reports:read'],
      exporter: ['reports:read', 'reports:export'],
    })) {
      const res = await t.call('POST', '/v1/tokens', {
        body: { name, scopes, subject: `${name}@example.com`, ttlSeconds: 3600 },
      });
      tokens[name] = res.body.token;
    }
    prefix = join(dir, 'nginx');
    mkdirSync(join(prefix, 'tmp'), { recursive: true });
    const port = await freePort();
    writeFileSync(join(prefix, 'nginx.conf'), nginxConfig(prefix, port, t.url, upstream.url));
    nginx = spawn(nginxBin!, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'ignore' });
    base = `http://127.0.0.1:${port}`;
    await vi.waitFor(
      async () => {
        if (nginx?.exitCode !== null)
          throw new Error(`nginx exited: ${readFileSync(join(prefix, 'error.log'), 'utf8')}`);
        expect(await accepting(port)).toBe(true);
      },
      { timeout: 10_000, interval: 50 },
    );
  });
  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx!.once('exit', resolve));
      nginx.kill('SIGQUIT');
      await exited;
    }
    await upstream?.close();
    await t?.close();
  });

  async function get(path: string, token?: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    const res = await fetch(base + path, { ...init, headers });
    await res.arrayBuffer();
    return res;
  }

  it('lets public routes through without credentials, and drops forged identity headers', async () => {
    const res = await get('/health', undefined, { headers: { 'x-gatehouse-subject': 'root' } });
    expect(res.status).toBe(200);
    expect(upstream.seen.at(-1)!.headers['x-gatehouse-subject']).toBeUndefined();
  });

  it('passes a valid token with identity headers and without the credential', async () => {
    const before = upstream.seen.length;
    const res = await get('/orders/42?x=1', tokens.reader);
    expect(res.status).toBe(200);
    expect(upstream.seen.length).toBe(before + 1);
    const seen = upstream.seen.at(-1)!;
    expect(seen.url).toBe('/orders/42?x=1');
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers['x-gatehouse-token-id']).toMatch(/^tok_/);
    expect(seen.headers['x-gatehouse-subject']).toBe('reader@example.com');
    expect(seen.headers['x-gatehouse-scopes']).toBe('orders:read');
  });

  it('denies without reaching the upstream: 401 with the challenge, 403 for scope and unmatched', async () => {
    const before = upstream.seen.length;
    const none = await get('/orders/1');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
    const bad = await get('/orders/1', `${tokens.reader!.slice(0, -2)}zz`);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe(
      'Bearer realm="gatehouse", error="invalid_token"',
    );
    const malformed = await get('/orders/1', undefined, {
      headers: { authorization: 'Bearer a b' },
    });
    expect(malformed.status).toBe(401);
    expect(malformed.headers.get('www-authenticate')).toContain('error="invalid_request"');
    expect((await get('/orders', tokens.reader, { method: 'POST', body: '{}' })).status).toBe(403);
    expect((await get('/admin', tokens.writer)).status).toBe(403);
    expect((await get('/orders/1', t.rootToken)).status).toBe(401);
    expect(upstream.seen.length).toBe(before);
    expect((await get('/orders', tokens.writer, { method: 'POST', body: '{}' })).status).toBe(200);
  });

  it('applies the scopes= a location adds on top of the policy', async () => {
    expect((await get('/reports/q1', tokens.reports)).status).toBe(403);
    expect((await get('/reports/q1', tokens.exporter)).status).toBe(200);
  });
});
