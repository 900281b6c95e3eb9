import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server-harness.js';

describe('serve over TLS (--tls-cert / --tls-key)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-serve-tls-'));
  let t: TestServer;
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    t = await startTestServer({
      tls: {
        cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
        key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      },
    });
  });
  afterAll(async () => {
    await agent.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over HTTPS only, with HSTS', async () => {
    expect(t.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await request(`${t.url}/v1/verify`, {
      method: 'POST',
      dispatcher: agent,
      headers: { authorization: `Bearer ${t.rootToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'gth_nope' }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(await res.body.json()).toEqual({ valid: false, code: 'MALFORMED' });
    await expect(request(`${t.url.replace('https', 'http')}/healthz`)).rejects.toThrow();
  });
});
