import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../test/server-harness.js';
import { gatehouse } from '../middleware/express.js';
import { createVerifier, type RemoteVerifier } from '../verifier/remote-verifier.js';
import { createAuditReporter } from './audit-reporter.js';

describe('requests decided by remote middleware reach the server audit log', () => {
  let t: TestServer;
  let verifier: RemoteVerifier;
  let appUrl = '';
  let close: () => Promise<void> = async () => {};
  let verifyToken = '';
  beforeAll(async () => {
    t = await startTestServer();
    verifyToken = await t.managementToken(['tokens:verify']);
    verifier = createVerifier({ url: t.url, token: verifyToken });
    await verifier.ready();
    const app = express();
    app.get('/orders/:id', gatehouse({ verifier, scopes: ['orders:read'] }), (_req, res) => {
      res.json({ ok: true });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(async () => {
    await close();
    await verifier?.close();
    await t?.close();
  });

  it('reports cached verifications and denials, without the query string, as the verifier', async () => {
    const created = await t.call('POST', '/v1/tokens', {
      body: { name: 'app', scopes: ['orders:read'], subject: 'carol' },
    });
    const auth = { authorization: `Bearer ${created.body.token}` };
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${appUrl}/orders/${i}?page=2`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${appUrl}/orders/9`)).status).toBe(401);
    await verifier.audit?.flush();
    await t.server.ctx.audit.flush();
    const verifierId = (await t.call('POST', '/v1/verify', { body: { token: verifyToken } })).body
      .tokenId;
    const verified = await t.call(
      'GET',
      `/v1/audit?type=token.verified&tokenId=${created.body.id}`,
    );
    // The first request was a cache miss, which the server audited itself (no path); the rest
    // are the middleware's reports.
    const remote = verified.body.items.filter(
      (e: { actor?: string; details?: { reportedBy?: string } }) =>
        e.actor === verifierId && e.details?.reportedBy === 'remote',
    );
    expect(remote).toHaveLength(3);
    expect(remote[0]).toMatchObject({
      subject: 'carol',
      method: 'GET',
      result: 'VALID',
      api: 'default',
    });
    expect(remote.map((e: { path: string }) => e.path).sort()).toEqual([
      '/orders/0',
      '/orders/1',
      '/orders/2',
    ]);
    const denied = await t.call('GET', '/v1/audit?type=request.denied');
    expect(denied.body.items[0]).toMatchObject({
      path: '/orders/9',
      status: 401,
      result: 'NO_CREDENTIALS',
      actor: verifierId,
    });
  });

  it('the ingest endpoint validates what it takes and needs tokens:verify', async () => {
    const bad = await t.call('POST', '/v1/audit/events', {
      body: { events: [{ type: 'token.created' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toMatch(/^body\.events\[0\]\.type/);
    const reader = await t.managementToken(['audit:read']);
    const denied = await t.call('POST', '/v1/audit/events', {
      token: reader,
      body: { events: [{ type: 'token.verified' }] },
    });
    expect(denied.status).toBe(403);
    const reporter = createAuditReporter({ url: t.url, token: reader });
    reporter.record({ type: 'token.verified' });
    await reporter.flush();
    expect(reporter.stats()).toMatchObject({ queued: 1, sent: 0, failedSends: 1 });
    await reporter.close().catch(() => {});
  });
});
