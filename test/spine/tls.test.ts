import { rmSync } from 'node:fs';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server-harness.js';
import { selfSignedCertificate } from '../tls-fixture.js';

describe('serve over TLS (--tls-cert / --tls-key)', () => {
  let t: TestServer;
  let dir = '';
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  beforeAll(async () => {
    const tls = selfSignedCertificate();
    dir = tls.dir;
    t = await startTestServer({ tls: { cert: tls.cert, key: tls.key } });
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
