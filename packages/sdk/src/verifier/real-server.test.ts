import { hashToken } from '@gatehouse/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../test/server-harness.js';
import { forEachStore } from '../../../../test/store-harness.js';
import { createClient, type GatehouseClient } from '../client/create-client.js';
import type { ChangeJson } from '../client/types.js';
import { createVerifier, type RemoteVerifier } from './remote-verifier.js';

/** Waits for the first applied change matching a predicate (no sleeps). */
function changeLog() {
  const seen: ChangeJson[] = [];
  let waiters: Array<{ match: (c: ChangeJson) => boolean; resolve: (c: ChangeJson) => void }> = [];
  return {
    onChange(change: ChangeJson) {
      seen.push(change);
      const ready = waiters.filter((w) => w.match(change));
      waiters = waiters.filter((w) => !w.match(change));
      for (const w of ready) w.resolve(change);
    },
    next(match: (c: ChangeJson) => boolean): Promise<ChangeJson> {
      const found = seen.find(match);
      return found
        ? Promise.resolve(found)
        : new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

/** A fetch whose event-stream connections the test can cut and hold back. */
function controllableFetch() {
  const streams = new Set<AbortController>();
  let gate: Promise<void> = Promise.resolve();
  let openGate: () => void = () => {};
  const lastEventIds: Array<string | undefined> = [];
  const wrapped: typeof fetch = async (input, init) => {
    if (!String(input).includes('/v1/events/stream')) return fetch(input, init);
    await gate;
    lastEventIds.push((init?.headers as Record<string, string> | undefined)?.['last-event-id']);
    const controller = new AbortController();
    streams.add(controller);
    const signal = init?.signal
      ? AbortSignal.any([init.signal, controller.signal])
      : controller.signal;
    return fetch(input, { ...init, signal });
  };
  return {
    fetch: wrapped,
    lastEventIds,
    cut(): void {
      gate = new Promise((resolve) => {
        openGate = resolve;
      });
      for (const controller of streams) controller.abort();
      streams.clear();
    },
    reopen: () => openGate(),
  };
}

forEachStore('SDK verifier against the real server', (target) => {
  let server: TestServer;
  let client: GatehouseClient;
  let verifier: RemoteVerifier;
  const log = changeLog();
  const network = controllableFetch();

  beforeAll(async () => {
    server = await startTestServer(target.openOptions());
    client = createClient({ url: server.url, token: server.rootToken });
    verifier = createVerifier({
      url: server.url,
      token: await server.managementToken(['tokens:verify']),
      fetch: network.fetch,
      subscriber: 'sdk-test',
      onChange: log.onChange,
      changeFeed: { reconnectDelayMs: { min: 5, max: 50 } },
    });
    await verifier.ready();
  });
  afterAll(async () => {
    await verifier?.close();
    await server?.close();
  });

  it('rejects a token once its revocation event arrives', async () => {
    const created = await client.tokens.create({
      name: 'r',
      scopes: ['orders:read'],
      ttlSeconds: 600,
    });
    expect(await verifier.verify(created.token, { scopes: ['orders:read'] })).toMatchObject({
      valid: true,
      tokenId: created.id,
    });
    expect(await verifier.verify(created.token, { scopes: ['orders:write'] })).toMatchObject({
      code: 'INSUFFICIENT_SCOPE',
    });
    await client.tokens.revoke(created.id);
    await log.next((c) => c.type === 'token.revoked' && c.tokenId === created.id);
    expect(await verifier.verify(created.token)).toMatchObject({ valid: false, code: 'REVOKED' });
  });

  it('counts as a subscriber in revocation receipts', async () => {
    const created = await client.tokens.create({
      name: 'w',
      scopes: ['orders:read'],
      ttlSeconds: 600,
    });
    expect((await verifier.verify(created.token)).valid).toBe(true);
    const revoked = await client.tokens.revoke(created.id, { wait: true, waitMs: 5000 });
    expect(revoked.receipt?.confirmed).toBeGreaterThanOrEqual(1);
    expect(revoked.receipt?.confirmed).toBe(revoked.receipt?.verifiers);
  });

  it('resumes with Last-Event-ID and misses nothing made while cut off', async () => {
    const created = await client.tokens.create({
      name: 'x',
      scopes: ['orders:read'],
      ttlSeconds: 600,
    });
    await log.next((c) => c.type === 'token.created' && c.tokenId === created.id);
    expect((await verifier.verify(created.token)).valid).toBe(true);
    network.cut();
    await expect.poll(() => verifier.stats().connected).toBe(false);
    await client.tokens.revoke(created.id);
    network.reopen();
    await log.next((c) => c.type === 'token.revoked' && c.tokenId === created.id);
    expect(network.lastEventIds.at(-1)).toMatch(/^\d+$/);
    expect(await verifier.verify(created.token)).toMatchObject({ valid: false, code: 'REVOKED' });
  });

  it('announces creations by token hash, so negative caches can drop them', async () => {
    const created = await client.tokens.create({
      name: 'n',
      scopes: ['orders:read'],
      ttlSeconds: 600,
    });
    const change = await log.next((c) => c.type === 'token.created' && c.tokenId === created.id);
    expect(change.tokenHash).toBe(hashToken(created.token));
    expect(JSON.stringify(change)).not.toContain(created.token);
    expect((await verifier.verify(created.token)).valid).toBe(true);
  });

  it('applies updates (scopes) as fast as revocations', async () => {
    const created = await client.tokens.create({
      name: 'u',
      scopes: ['orders:read'],
      ttlSeconds: 600,
    });
    expect((await verifier.verify(created.token, { scopes: ['orders:write'] })).valid).toBe(false);
    expect((await verifier.verify(created.token, { scopes: ['orders:read'] })).valid).toBe(true);
    await client.tokens.update(created.id, { scopes: ['orders:write'] });
    await log.next((c) => c.type === 'token.updated' && c.tokenId === created.id);
    expect((await verifier.verify(created.token, { scopes: ['orders:write'] })).valid).toBe(true);
    expect((await verifier.verify(created.token, { scopes: ['orders:read'] })).valid).toBe(false);
  });
});
