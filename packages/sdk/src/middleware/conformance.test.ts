import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, type RemoteVerifier } from '../index.js';
import { APPS, type AppUnderTest } from '../testing/apps.js';
import { changeWaiter } from '../testing/change-waiter.js';
import { FAKE_MANAGEMENT_TOKEN, FakeGatehouse } from '../testing/fake-gatehouse.js';

const REALM = 'orders-api';

// The same cases against Express, Fastify, Hono and the framework-free authenticator.
describe.each(Object.keys(APPS))('middleware conformance: %s', (name) => {
  let fake: FakeGatehouse;
  let verifier: RemoteVerifier;
  let app: AppUnderTest;
  const waiter = changeWaiter();

  beforeAll(async () => {
    fake = await FakeGatehouse.start();
    verifier = createVerifier({
      url: fake.url,
      token: FAKE_MANAGEMENT_TOKEN,
      clock: fake.clock,
      onChange: waiter.onChange,
    });
    await verifier.ready();
    app = await APPS[name]!({ verifier, realm: REALM });
  });
  afterAll(async () => {
    await app?.close();
    await verifier?.close();
    await fake?.close();
  });

  const get = (authorization?: string, path = '/orders'): Promise<Response> =>
    fetch(`${app.url}${path}`, { headers: authorization === undefined ? {} : { authorization } });

  /** Sends the request through oauth4webapi and returns the challenges it parsed. */
  async function challenges(
    authorization: string | null,
  ): Promise<{ status: number; parsed: oauth.WWWAuthenticateChallenge[] }> {
    try {
      const response = await oauth.protectedResourceRequest(
        'placeholder',
        'GET',
        new URL(`${app.url}/orders`),
        undefined,
        undefined,
        {
          [oauth.allowInsecureRequests]: true,
          [oauth.customFetch]: (url, init) => {
            const headers = { ...(init.headers as Record<string, string>) };
            if (authorization === null) delete headers.authorization;
            else headers.authorization = authorization;
            // GET without a body: only method, headers and redirect matter here.
            return fetch(url, { method: init.method, redirect: init.redirect, headers });
          },
        },
      );
      return { status: response.status, parsed: [] };
    } catch (error) {
      if (error instanceof oauth.WWWAuthenticateChallengeError)
        return { status: error.status, parsed: error.cause };
      throw error;
    }
  }

  it('lets public routes through without credentials', async () => {
    expect((await get(undefined, '/public')).status).toBe(200);
  });

  it.each([
    ['missing header', undefined],
    ['empty header', ''],
    ['bare Bearer', 'Bearer'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
  ])('no credentials (%s) → 401 with a realm and no error code', async (_case, header) => {
    const response = await get(header);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
  });

  it('malformed header → 400 invalid_request', async () => {
    const response = await get('Bearer a b');
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"');
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses tokens in the URL', async () => {
    const { token } = fake.issue();
    const response = await fetch(`${app.url}/orders?access_token=${token}`);
    expect(response.status).toBe(400);
  });

  it('rejects a bad checksum offline (no server call)', async () => {
    const { token } = fake.issue();
    const before = fake.verifyCalls;
    const typo = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11);
    const response = await get(`Bearer ${typo}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="${REALM}", error="invalid_token"`,
    );
    expect(fake.verifyCalls).toBe(before);
  });

  it('answers unknown, expired and revoked identically (401 invalid_token)', async () => {
    const unknown = fake.issue();
    fake.forget(unknown.token); // checksum-valid, but the server does not know it
    const expired = fake.issue({ expiresAt: fake.clock.now() - 1 });
    const revoked = fake.issue();
    fake.revoke(revoked.token);
    const responses = await Promise.all([
      get(`Bearer ${unknown.token}`),
      get(`Bearer ${expired.token}`),
      get(`Bearer ${revoked.token}`),
    ]);
    const shapes = await Promise.all(
      responses.map(async (r) => ({
        status: r.status,
        header: r.headers.get('www-authenticate'),
        body: await r.text(),
      })),
    );
    expect(shapes[0]!.status).toBe(401);
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
  });

  it('accepts a valid token (scheme case-insensitive) and exposes the identity', async () => {
    const { token, record } = fake.issue({
      subject: 'alice',
      metadata: { plan: 'pro' },
      scopes: ['orders:*'],
    });
    const response = await get(`bEaReR ${token}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { identity: Record<string, unknown> };
    expect(body.identity).toMatchObject({
      tokenId: record.tokenId,
      subject: 'alice',
      scopes: ['orders:*'],
      metadata: { plan: 'pro' },
    });
    expect(JSON.stringify(body)).not.toContain(token);
  });

  it('valid token without the scope → 403 insufficient_scope naming the scope', async () => {
    const { token } = fake.issue({ scopes: ['orders:read'] });
    const response = await fetch(`${app.url}/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="${REALM}", error="insufficient_scope", scope="orders:write"`,
    );
  });

  it('rate limited → 429 with Retry-After', async () => {
    const { token } = fake.issue({ rateLimitedFor: 7 });
    const response = await get(`Bearer ${token}`);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
  });

  it('decides expiry locally from the cache', async () => {
    const { token } = fake.issue({ expiresAt: fake.clock.now() + 60_000 });
    expect((await get(`Bearer ${token}`)).status).toBe(200);
    const calls = fake.verifyCalls;
    expect((await get(`Bearer ${token}`)).status).toBe(200);
    fake.clock.advance(60_000);
    expect((await get(`Bearer ${token}`)).status).toBe(401);
    expect(fake.verifyCalls).toBe(calls);
  });

  it('rejects a revoked token once the change event arrives', async () => {
    const { token } = fake.issue();
    expect((await get(`Bearer ${token}`)).status).toBe(200);
    const change = fake.revoke(token);
    await waiter.applied(change.seq);
    expect((await get(`Bearer ${token}`)).status).toBe(401);
  });

  it('checks IP allowlists', async () => {
    const allowed = fake.issue({ ipAllowlist: ['127.0.0.0/8'] });
    const denied = fake.issue({ ipAllowlist: ['10.0.0.0/8'] });
    expect((await get(`Bearer ${allowed.token}`)).status).toBe(200);
    expect((await get(`Bearer ${denied.token}`)).status).toBe(401);
  });

  it('verifies JWTs locally and honours jwt.revoked', async () => {
    const jwt = await fake.signJwt();
    expect((await get(`Bearer ${jwt}`)).status).toBe(200);
    const jti = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).jti as string;
    const change = fake.revokeJwt(jti);
    await waiter.applied(change.seq);
    expect((await get(`Bearer ${jwt}`)).status).toBe(401);
  });

  it('fails closed with 503 when Gatehouse is unreachable and nothing fresh is cached', async () => {
    const { token } = fake.issue();
    fake.unreachable = true;
    try {
      const response = await get(`Bearer ${token}`);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBeTruthy();
    } finally {
      fake.unreachable = false;
    }
  });

  describe('RFC 6750 challenges parsed by oauth4webapi', () => {
    it('no credentials: realm only', async () => {
      const { status, parsed } = await challenges(null);
      expect(status).toBe(401);
      expect(parsed).toEqual([{ scheme: 'bearer', parameters: { realm: REALM } }]);
    });

    it('malformed: invalid_request', async () => {
      const { status, parsed } = await challenges('Bearer a b');
      expect(status).toBe(400);
      expect(parsed[0]?.scheme).toBe('bearer');
      expect(parsed[0]?.parameters).toMatchObject({ realm: REALM, error: 'invalid_request' });
    });

    it('invalid token: invalid_token', async () => {
      const { status, parsed } = await challenges(`Bearer gth_${'A'.repeat(38)}`);
      expect(status).toBe(401);
      expect(parsed[0]?.parameters).toMatchObject({ realm: REALM, error: 'invalid_token' });
    });

    it('missing scope: insufficient_scope with scope', async () => {
      const { token } = fake.issue({ scopes: ['users:read'] });
      const { status, parsed } = await challenges(`Bearer ${token}`);
      expect(status).toBe(403);
      expect(parsed[0]?.parameters).toMatchObject({
        realm: REALM,
        error: 'insufficient_scope',
        scope: 'orders:read',
      });
    });
  });
});
