import { generateToken, hashToken, secureRandom } from '@gatehouse/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatehouseUnavailableError } from '../errors.js';
import { changeWaiter } from '../testing/change-waiter.js';
import { FAKE_MANAGEMENT_TOKEN, FakeGatehouse } from '../testing/fake-gatehouse.js';
import {
  createVerifier,
  type RemoteVerifier,
  type RemoteVerifierOptions,
} from './remote-verifier.js';

describe('remote verifier against a fake Gatehouse', () => {
  let fake: FakeGatehouse;
  let verifier: RemoteVerifier;
  let waiter: ReturnType<typeof changeWaiter>;

  async function start(options: Partial<RemoteVerifierOptions> = {}): Promise<RemoteVerifier> {
    waiter = changeWaiter();
    verifier = createVerifier({
      url: fake.url,
      token: FAKE_MANAGEMENT_TOKEN,
      clock: fake.clock,
      onChange: waiter.onChange,
      changeFeed: { reconnectDelayMs: { min: 5, max: 20 } },
      ...options,
    });
    if (options.changeFeed !== false) await verifier.ready();
    return verifier;
  }

  beforeEach(async () => {
    fake = await FakeGatehouse.start();
  });
  afterEach(async () => {
    await verifier?.close();
    await fake.close();
  });

  it('rejects malformed tokens without any network call', async () => {
    await start();
    for (const input of ['', 'nope', `gth_${'a'.repeat(38)}`, 'x'.repeat(5000), 'a.b']) {
      expect(await verifier.verify(input)).toEqual({ valid: false, code: 'MALFORMED' });
    }
    expect(fake.verifyCalls).toBe(0);
  });

  it('serves repeat verifications from the cache, deciding scopes locally', async () => {
    await start();
    const { token, record } = fake.issue({ scopes: ['orders:read'] });
    expect(await verifier.verify(token, { scopes: ['orders:read'] })).toMatchObject({
      valid: true,
      tokenId: record.tokenId,
    });
    expect(await verifier.verify(token, { scopes: ['orders:write'] })).toMatchObject({
      valid: false,
      code: 'INSUFFICIENT_SCOPE',
      missingScopes: ['orders:write'],
    });
    expect(await verifier.verify(token, { api: 'billing' })).toEqual({
      valid: false,
      code: 'NOT_FOUND',
    });
    expect(fake.verifyCalls).toBe(1);
    expect(verifier.stats()).toMatchObject({ hits: 2, misses: 1, connected: true });
  });

  it('does not cache answers the server marks non-cacheable', async () => {
    await start();
    const { token } = fake.issue({ rateLimitedFor: 3 });
    expect(await verifier.verify(token)).toEqual({
      valid: false,
      code: 'RATE_LIMITED',
      retryAfterSeconds: 3,
    });
    await verifier.verify(token);
    expect(fake.verifyCalls).toBe(2);
  });

  it('keeps a negative cache that token.created clears', async () => {
    await start();
    const token = generateToken({ prefix: 'gth', random: secureRandom });
    expect(await verifier.verify(token)).toEqual({ valid: false, code: 'NOT_FOUND' });
    expect(await verifier.verify(token)).toEqual({ valid: false, code: 'NOT_FOUND' });
    expect(fake.verifyCalls).toBe(1);
    // The secret now exists (e.g. imported): its creation event clears the cached denial.
    const { record } = fake.issue();
    fake.tokens.set(hashToken(token), record);
    const change = fake.emit('token.created', record.tokenId, hashToken(token));
    await waiter.applied(change.seq);
    expect(await verifier.verify(token)).toMatchObject({ valid: true, tokenId: record.tokenId });
  });

  it('drops an entry on revocation and acknowledges the change', async () => {
    await start();
    const { token } = fake.issue();
    expect((await verifier.verify(token)).valid).toBe(true);
    const change = fake.revoke(token);
    await waiter.applied(change.seq);
    expect(await verifier.verify(token)).toEqual({ valid: false, code: 'REVOKED' });
    await expect.poll(() => fake.acks.some((ack) => ack.seq >= change.seq)).toBe(true);
  });

  it('resumes with Last-Event-ID and misses nothing while disconnected', async () => {
    await start();
    const { token } = fake.issue();
    const other = fake.issue();
    await waiter.applied(fake.changes.length);
    expect((await verifier.verify(token)).valid).toBe(true);
    expect((await verifier.verify(other.token)).valid).toBe(true);
    fake.unreachable = true;
    fake.dropStreams();
    const revoked = fake.revoke(token); // made while the verifier is cut off
    fake.unreachable = false;
    await waiter.applied(revoked.seq);
    const resumed = fake.streamRequests.at(-1);
    expect(Number(resumed?.lastEventId)).toBe(revoked.seq - 1);
    expect(await verifier.verify(token)).toEqual({ valid: false, code: 'REVOKED' });
    expect((await verifier.verify(other.token)).valid).toBe(true);
  });

  it('does not cache an answer that a change overtook (fill race)', async () => {
    await start();
    const { token } = fake.issue();
    await waiter.applied(fake.changes.length);
    const release = fake.holdVerify();
    const pending = verifier.verify(token);
    await expect.poll(() => fake.verifyCalls).toBe(1);
    const change = fake.revoke(token);
    await waiter.applied(change.seq);
    release();
    expect((await pending).valid).toBe(true); // the server's answer from before the revocation
    expect(await verifier.verify(token)).toEqual({ valid: false, code: 'REVOKED' });
  });

  describe('when the feed or server is down', () => {
    it('fails closed by default: no stale answers, unavailability is an error', async () => {
      await start();
      const { token } = fake.issue();
      expect((await verifier.verify(token)).valid).toBe(true);
      fake.unreachable = true;
      fake.dropStreams();
      await expect.poll(() => verifier.stats().connected).toBe(false);
      await expect(verifier.verify(token)).rejects.toBeInstanceOf(GatehouseUnavailableError);
      fake.unreachable = false;
    });

    it('serves cached answers up to maxStalenessMs, then fails', async () => {
      await start({ maxStalenessMs: 30_000 });
      const { token } = fake.issue();
      expect((await verifier.verify(token)).valid).toBe(true);
      fake.unreachable = true;
      fake.dropStreams();
      await expect.poll(() => verifier.stats().connected).toBe(false);
      fake.clock.advance(30_000);
      expect((await verifier.verify(token)).valid).toBe(true);
      fake.clock.advance(1);
      await expect(verifier.verify(token)).rejects.toBeInstanceOf(GatehouseUnavailableError);
      fake.unreachable = false;
    });

    it('asks the server every time before the feed connects (maxStalenessMs 0)', async () => {
      await start({ changeFeed: false });
      const { token } = fake.issue();
      await verifier.verify(token);
      await verifier.verify(token);
      expect(fake.verifyCalls).toBe(2);
    });
  });

  describe('JWTs', () => {
    it('verifies signature and claims locally against the JWKS', async () => {
      await start();
      const jwt = await fake.signJwt({ scope: 'orders:read orders:write' });
      expect(await verifier.verify(jwt, { scopes: ['orders:read'] })).toMatchObject({
        valid: true,
        subject: 'svc_1',
      });
      expect(await verifier.verify(jwt, { scopes: ['orders:read'] })).toMatchObject({
        valid: true,
      });
      expect(fake.verifyCalls).toBe(1); // first use confirms revocation state once, then local
    });

    it('rejects wrong typ, tampered signatures and expired tokens', async () => {
      await start();
      const wrongTyp = await fake.signJwt({}, { typ: 'JWT' });
      expect(await verifier.verify(wrongTyp)).toEqual({ valid: false, code: 'NOT_FOUND' });
      const good = await fake.signJwt();
      const [h, p, sig] = good.split('.') as [string, string, string];
      const tampered = `${h}.${p}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
      expect(await verifier.verify(tampered)).toMatchObject({ valid: false });
      fake.clock.advance(901_000);
      expect(await verifier.verify(good)).toEqual({ valid: false, code: 'EXPIRED' });
      expect(fake.verifyCalls).toBe(0);
    });

    it('rejects a revoked jti from the revocation list', async () => {
      await start();
      const jwt = await fake.signJwt();
      expect((await verifier.verify(jwt)).valid).toBe(true);
      const jti = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).jti as string;
      const change = fake.revokeJwt(jti);
      await waiter.applied(change.seq);
      const calls = fake.verifyCalls;
      expect(await verifier.verify(jwt)).toEqual({ valid: false, code: 'REVOKED' });
      expect(fake.verifyCalls).toBe(calls);
    });
  });
});
