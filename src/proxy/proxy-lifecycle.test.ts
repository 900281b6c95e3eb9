import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { selfSignedCertificate } from '../../test/tls-fixture.js';
import { ProxyConfigError } from './bind-safety.js';
import { createProxy } from './create-proxy.js';
import type { ProxyLogger } from './proxy-logger.js';
import { memoryVerifier } from './testing/memory-verifier.js';
import { startTestUpstream, type TestUpstream } from './testing/test-upstream.js';

const verifier = memoryVerifier({
  gth_reader: { tokenId: 'tok_r', api: 'default', scopes: ['orders:read'] },
});
let upstream: TestUpstream;
beforeAll(async () => {
  upstream = await startTestUpstream();
});
afterAll(async () => upstream.close());

function recordingLogger(): ProxyLogger & { errors: string[] } {
  const errors: string[] = [];
  return {
    errors,
    info() {},
    warn() {},
    error: (fields) => void errors.push(String(fields.error)),
  };
}

function policyDir(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-reload-'));
  writeFileSync(join(dir, 'policy.yaml'), text);
  return join(dir, 'policy.yaml');
}

async function status(url: string): Promise<number> {
  const res = await request(url);
  await res.body.dump();
  return res.statusCode;
}

describe('policy reload', () => {
  it('picks up a changed file, refuses a bad one with line:column and keeps the old policy', async () => {
    const file = policyDir('routes:\n  "GET /a": public\n');
    const logger = recordingLogger();
    const proxy = await createProxy({
      upstream: upstream.url,
      policy: file,
      verifier,
      port: 0,
      logger,
    });
    try {
      expect(await status(`${proxy.url}/b`)).toBe(403);
      // Replace by rename, as editors and config managers do.
      writeFileSync(`${file}.tmp`, 'routes:\n  "GET /a": public\n  "GET /b": public\n');
      renameSync(`${file}.tmp`, file);
      await vi.waitFor(() => expect(proxy.policy.version).toBe(2), { timeout: 5000 });
      expect(await status(`${proxy.url}/b`)).toBe(200);

      writeFileSync(`${file}.tmp`, 'routes:\n  "GET /a": public\n  "GIT /b": public\n');
      renameSync(`${file}.tmp`, file);
      await vi.waitFor(() => expect(logger.errors.length).toBeGreaterThan(0), { timeout: 5000 });
      expect(logger.errors[0]).toMatch(/policy\.yaml:3:3: route "GIT \/b" must look like/);
      expect(proxy.policy.version).toBe(2);
      expect(await status(`${proxy.url}/b`)).toBe(200);
    } finally {
      await proxy.close();
    }
  });

  it('reloads on SIGHUP without dropping in-flight requests', async () => {
    const file = policyDir('routes:\n  "GET /a": public\n');
    const proxy = await createProxy({
      upstream: upstream.url,
      policy: file,
      verifier,
      port: 0,
      logger: recordingLogger(),
      watchPolicy: false,
    });
    try {
      const load = Array.from({ length: 200 }, () => status(`${proxy.url}/a`));
      for (let i = 0; i < 5; i++) {
        writeFileSync(file, `routes:\n  "GET /a": public\n  "GET /v${i}": public\n`);
        process.kill(process.pid, 'SIGHUP');
      }
      const statuses = await Promise.all(load);
      expect(statuses.every((s) => s === 200)).toBe(true);
      await vi.waitFor(() => expect(proxy.policy.current.match('GET', '/v4').kind).toBe('public'));
    } finally {
      await proxy.close();
    }
  });
});

describe('TLS and bind safety', () => {
  it('refuses plain HTTP on a non-loopback address unless insecureHttp', async () => {
    const file = policyDir('routes:\n  "GET /a": public\n');
    const base = { upstream: upstream.url, policy: file, verifier, port: 0, watchPolicy: false };
    await expect(createProxy({ ...base, host: '0.0.0.0' })).rejects.toSatisfy(
      (e) => e instanceof ProxyConfigError && e.code === 'insecure_bind',
    );
    const open = await createProxy({
      ...base,
      host: '0.0.0.0',
      insecureHttp: true,
      logger: recordingLogger(),
    });
    await open.close();
  });

  it('serves HTTPS only, with HSTS, when given a certificate', async () => {
    const { cert, key } = selfSignedCertificate();
    const proxy = await createProxy({
      upstream: upstream.url,
      policy: policyDir('routes:\n  "GET /a": public\n'),
      verifier,
      port: 0,
      host: '0.0.0.0',
      tls: { cert, key },
      logger: recordingLogger(),
      watchPolicy: false,
    });
    const agent = new Agent({ connect: { rejectUnauthorized: false } });
    try {
      const res = await request(`https://127.0.0.1:${proxy.port}/a`, { dispatcher: agent });
      await res.body.dump();
      expect(res.statusCode).toBe(200);
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      const denied = await request(`https://127.0.0.1:${proxy.port}/zzz`, { dispatcher: agent });
      await denied.body.dump();
      expect(denied.headers['strict-transport-security']).toBeDefined();
      await expect(request(`http://127.0.0.1:${proxy.port}/a`)).rejects.toThrow();
    } finally {
      await agent.close();
      await proxy.close();
    }
  });
});
