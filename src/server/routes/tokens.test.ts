import { ManualClock } from '@gatehouse/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server-harness.js';
import { forEachStore } from '../../../test/store-harness.js';

forEachStore('token lifecycle over HTTP', (target) => {
  let t: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  beforeAll(async () => {
    t = await startTestServer({ store: target.store(), clock });
  });
  afterAll(() => t?.close());

  it('creates, shows, verifies, rotates and revokes a token', async () => {
    const created = await t.call('POST', '/v1/tokens', {
      body: { name: 'ci', scopes: ['orders:read'], subject: 'alice', ttlSeconds: 3600 },
    });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^gth_[0-9A-Za-z]{38}$/);
    expect(created.body).toMatchObject({
      api: 'default',
      status: 'active',
      scopes: ['orders:read'],
      subject: 'alice',
    });
    const secret: string = created.body.token;

    const shown = await t.call('GET', `/v1/tokens/${created.body.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.token).toBeUndefined();

    expect(
      (await t.call('POST', '/v1/verify', { body: { token: secret, scopes: ['orders:read'] } }))
        .body,
    ).toMatchObject({ valid: true, tokenId: created.body.id });
    expect(
      (await t.call('POST', '/v1/verify', { body: { token: secret, scopes: ['orders:write'] } }))
        .body,
    ).toMatchObject({ valid: false, code: 'INSUFFICIENT_SCOPE' });

    const rotated = await t.call('POST', `/v1/tokens/${created.body.id}/rotate`, {
      body: { overlapSeconds: 60 },
    });
    expect(rotated.status).toBe(201);
    expect(rotated.body.rotatedFrom).toBe(created.body.id);
    expect((await t.call('POST', '/v1/verify', { body: { token: secret } })).body.valid).toBe(true);
    clock.advance(61_000);
    expect((await t.call('POST', '/v1/verify', { body: { token: secret } })).body).toMatchObject({
      valid: false,
      code: 'EXPIRED',
    });

    const revoked = await t.call('POST', `/v1/tokens/${rotated.body.id}/revoke`, {
      body: { reason: 'leaked' },
    });
    expect(revoked.body.status).toBe('revoked');
    expect(
      (await t.call('POST', `/v1/tokens/${rotated.body.id}/revoke`, { body: {} })).status,
    ).toBe(200);
    expect(
      (await t.call('POST', '/v1/verify', { body: { token: rotated.body.token } })).body,
    ).toMatchObject({ valid: false, code: 'REVOKED' });
  });

  it('rejects bad input with problem+json naming the field, writing nothing', async () => {
    const before = await t.call('GET', '/v1/tokens?limit=1000');
    const cases: Array<[unknown, string]> = [
      [{ name: 'x', scopes: ['a'], bogus: 1 }, 'body.bogus'],
      [{ name: 'x', scopes: 'a' }, 'body.scopes'],
      [{ name: 'x', scopes: ['a'], ttlSeconds: -5 }, 'body.ttlSeconds'],
      [{ name: 'x', scopes: ['a'], ttlSeconds: 400 * 86400 }, 'body.ttlSeconds'],
      [{ scopes: ['a'] }, 'body.name'],
      [{ name: 'x', scopes: ['a'], api: 'nope' }, 'body.api'],
      [{ name: 'x', scopes: ['a'], ipAllowlist: ['300.1.1.1/8'] }, 'body.ipAllowlist[0]'],
    ];
    for (const [body, field] of cases) {
      const res = await t.call('POST', '/v1/tokens', { body });
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.field).toBe(field);
    }
    const invalidJson = await t.call('POST', '/v1/tokens', { body: '{"name":' });
    expect(invalidJson.body.code).toBe('invalid_json');
    const after = await t.call('GET', '/v1/tokens?limit=1000');
    expect(after.body.items.length).toBe(before.body.items.length);
  });

  it('enforces management scopes', async () => {
    const reader = await t.managementToken(['tokens:read']);
    expect((await t.call('GET', '/v1/tokens', { token: reader })).status).toBe(200);
    const denied = await t.call('POST', '/v1/tokens', {
      token: reader,
      body: { name: 'x', scopes: ['a'] },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('forbidden');
    const anon = await t.call('GET', '/v1/tokens', { token: null });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toContain('Bearer');
  });
});

describe('health', () => {
  it('answers healthz and readyz', async () => {
    const t = await startTestServer();
    try {
      expect((await t.call('GET', '/healthz', { token: null })).body).toEqual({ status: 'ok' });
      expect((await t.call('GET', '/readyz', { token: null })).body).toMatchObject({
        status: 'ready',
        store: 'sqlite',
      });
      await t.call('POST', '/v1/verify', { body: { token: 'gth_not-a-token' } });
      const metrics = await t.call('GET', '/metrics', { token: null });
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/gatehouse_verifications_total\{result="MALFORMED"\} 1/);
      expect(metrics.body).toMatch(/gatehouse_verify_duration_seconds_bucket/);
      const spec = await t.call('GET', '/openapi.json', { token: null });
      expect(spec.body.paths['/v1/tokens']).toBeDefined();
    } finally {
      await t.close();
    }
  });
});
