import { randomBytes } from 'node:crypto';
import { ManualClock } from '@gatehouse/core';
import { createVerifier } from '@gatehouse/sdk';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server-harness.js';
import { forEachStore } from '../../../test/store-harness.js';

// Test servers over a shared store must not write ./.gatehouse/master.key.
process.env.GATEHOUSE_MASTER_KEY ??= randomBytes(32).toString('base64');
const insecure = { [oauth.allowInsecureRequests]: true } as const;

forEachStore('OAuth endpoints', (target) => {
  let t: TestServer;
  let as: oauth.AuthorizationServer;
  let introspector: { id: string; token: string };
  const clock = new ManualClock(Date.UTC(2026, 6, 1));

  const createToken = async (
    body: Record<string, unknown>,
  ): Promise<{ id: string; token: string }> => {
    const res = await t.call('POST', '/v1/tokens', {
      body: { name: 'test', ttlSeconds: 86_400, ...body },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.id, token: res.body.token };
  };
  const form = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
  const basic = (id: string, secret: string): string =>
    `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const grant = async (
    client: { id: string; token: string },
    scope?: string,
  ): Promise<oauth.TokenEndpointResponse> => {
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      { client_id: client.id },
      oauth.ClientSecretBasic(client.token),
      scope ? { scope } : {},
      insecure,
    );
    return oauth.processClientCredentialsResponse(as, { client_id: client.id }, response);
  };
  const introspect = async (token: string): Promise<oauth.IntrospectionResponse> => {
    const response = await oauth.introspectionRequest(
      as,
      { client_id: introspector.id },
      oauth.ClientSecretBasic(introspector.token),
      token,
      insecure,
    );
    return oauth.processIntrospectionResponse(as, { client_id: introspector.id }, response);
  };
  const rawIntrospect = async (token: string): Promise<unknown> =>
    (
      await form('/oauth/introspect', `token=${encodeURIComponent(token)}`, {
        authorization: `Bearer ${introspector.token}`,
      })
    ).json();
  const verify = async (token: string, scopes?: string[]) =>
    (await t.call('POST', '/v1/verify', { body: { token, ...(scopes ? { scopes } : {}) } })).body;

  beforeAll(async () => {
    t = await startTestServer({ store: target.store(), clock });
    const issuer = new URL(t.url);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
    );
    introspector = await createToken({
      api: 'gatehouse',
      scopes: ['tokens:verify'],
      ttlSeconds: undefined,
    });
  });
  afterAll(() => t?.close());

  it('RFC 8414 discovery: issuer is exactly the URL the metadata is served under', async () => {
    expect(as.issuer).toBe(t.url);
    expect(as).toMatchObject({
      token_endpoint: `${t.url}/oauth/token`,
      introspection_endpoint: `${t.url}/oauth/introspect`,
      revocation_endpoint: `${t.url}/oauth/revoke`,
      jwks_uri: `${t.url}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    const wrong = new URL(`${t.url}/tenant`);
    await expect(
      oauth.processDiscoveryResponse(
        wrong,
        await oauth.discoveryRequest(wrong, { algorithm: 'oauth2', ...insecure }),
      ),
    ).rejects.toThrow();
  });

  it('JWKS publishes public members only', async () => {
    const res = await fetch(`${t.url}/.well-known/jwks.json`);
    const { keys } = (await res.json()) as { keys: Record<string, string>[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key.d).toBeUndefined();
      expect(key).toMatchObject({
        use: 'sig',
        alg: expect.stringMatching(/^(EdDSA|ES256)$/),
        kid: expect.stringMatching(/^key_/),
      });
    }
  });

  it('client credentials (Basic) → RFC 9068 JWT that jose, /v1/verify and the SDK accept', async () => {
    const client = await createToken({
      scopes: ['orders:read', 'orders:write'],
      subject: 'svc-billing',
    });
    const tokens = await grant(client);
    expect(tokens).toMatchObject({
      token_type: 'bearer',
      expires_in: 900,
      scope: 'orders:read orders:write',
    });
    const jwks = createRemoteJWKSet(new URL(as.jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: t.url,
      audience: 'default',
      typ: 'at+jwt',
      algorithms: ['EdDSA', 'ES256'],
      currentDate: new Date(clock.now()),
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({
      iss: t.url,
      aud: 'default',
      sub: 'svc-billing',
      client_id: client.id,
      scope: 'orders:read orders:write',
    });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(await verify(tokens.access_token, ['orders:read'])).toMatchObject({
      valid: true,
      tokenId: client.id,
      api: 'default',
      subject: 'svc-billing',
    });
    const sdk = createVerifier({ url: t.url, token: introspector.token, changeFeed: false, clock });
    try {
      expect(await sdk.verify(tokens.access_token, { scopes: ['orders:write'] })).toMatchObject({
        valid: true,
        tokenId: client.id,
      });
    } finally {
      await sdk.close();
    }
    const raw = await form('/oauth/token', 'grant_type=client_credentials', {
      authorization: basic(client.id, client.token),
    });
    expect(raw.headers.get('cache-control')).toBe('no-store');
  });

  it('client_secret_post, down-scoping to a subset, invalid_scope otherwise', async () => {
    const client = await createToken({ scopes: ['orders:*', 'users:read'] });
    const post = async (scope: string) =>
      form(
        '/oauth/token',
        new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: client.id,
          client_secret: client.token,
          scope,
        }).toString(),
      );
    const narrowed = await post('orders:read');
    expect(narrowed.status).toBe(200);
    const body = (await narrowed.json()) as { access_token: string; scope: string };
    expect(body.scope).toBe('orders:read');
    expect(await verify(body.access_token, ['orders:write'])).toMatchObject({
      valid: false,
      code: 'INSUFFICIENT_SCOPE',
    });
    for (const scope of ['billing:read', 'orders:read admin', 'not a scope!']) {
      const res = await post(scope);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_scope' });
    }
  });

  it('Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1)', async () => {
    const client = await createToken({ scopes: ['orders:read'] });
    const percentAll = (s: string) =>
      [...s].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    const header = `Basic ${Buffer.from(`${percentAll(client.id)}:${percentAll(client.token)}`).toString('base64')}`;
    expect(
      (await form('/oauth/token', 'grant_type=client_credentials', { authorization: header }))
        .status,
    ).toBe(200);
  });

  it('bad input gets the RFC error code, never a 5xx', async () => {
    const client = await createToken({ scopes: ['orders:read'] });
    const auth = { authorization: basic(client.id, client.token) };
    const cases: Array<[string, Promise<Response>, number, string]> = [
      [
        'missing grant_type',
        form('/oauth/token', 'scope=orders:read', auth),
        400,
        'invalid_request',
      ],
      [
        'unsupported grant',
        form('/oauth/token', 'grant_type=password&username=a&password=b', auth),
        400,
        'unsupported_grant_type',
      ],
      [
        'repeated parameter',
        form('/oauth/token', 'grant_type=client_credentials&grant_type=client_credentials', auth),
        400,
        'invalid_request',
      ],
      [
        'malformed Basic',
        form('/oauth/token', 'grant_type=client_credentials', {
          authorization: 'Basic !!!notbase64',
        }),
        401,
        'invalid_client',
      ],
      [
        'Basic without colon',
        form('/oauth/token', 'grant_type=client_credentials', {
          authorization: `Basic ${Buffer.from('nocolon').toString('base64')}`,
        }),
        401,
        'invalid_client',
      ],
      [
        'wrong secret',
        form('/oauth/token', 'grant_type=client_credentials', {
          authorization: basic(client.id, 'gth_wrong'),
        }),
        401,
        'invalid_client',
      ],
      [
        'id of another token',
        form('/oauth/token', 'grant_type=client_credentials', {
          authorization: basic(introspector.id, client.token),
        }),
        401,
        'invalid_client',
      ],
      [
        'no client auth',
        form('/oauth/token', 'grant_type=client_credentials'),
        401,
        'invalid_client',
      ],
      [
        'two auth methods',
        form(
          '/oauth/token',
          `grant_type=client_credentials&client_id=${client.id}&client_secret=${client.token}`,
          auth,
        ),
        400,
        'invalid_request',
      ],
      [
        'management token as client',
        form('/oauth/token', 'grant_type=client_credentials', {
          authorization: basic(introspector.id, introspector.token),
        }),
        400,
        'unauthorized_client',
      ],
      [
        'JSON instead of a form',
        fetch(`${t.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth },
          body: '{"grant_type":"client_credentials"}',
        }),
        400,
        'invalid_request',
      ],
      [
        'text/plain',
        fetch(`${t.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', ...auth },
          body: 'grant_type=client_credentials',
        }),
        400,
        'invalid_request',
      ],
      [
        'no body',
        fetch(`${t.url}/oauth/token`, { method: 'POST', headers: auth }),
        400,
        'invalid_request',
      ],
      [
        'introspect without token',
        form('/oauth/introspect', '', { authorization: `Bearer ${introspector.token}` }),
        400,
        'invalid_request',
      ],
      [
        'introspect JSON',
        fetch(`${t.url}/oauth/introspect`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${introspector.token}`,
          },
          body: '{}',
        }),
        400,
        'invalid_request',
      ],
    ];
    for (const [name, pending, status, error] of cases) {
      const res = await pending;
      expect(res.status, name).toBe(status);
      expect(await res.json(), name).toMatchObject({ error });
      if (status === 401) expect(res.headers.get('www-authenticate'), name).toBeTruthy();
    }
  });

  it('introspection: RFC members for active tokens, exactly {active:false} for every inactive case', async () => {
    const opaque = await createToken({ scopes: ['orders:read', 'orders:write'], subject: 'alice' });
    const active = await introspect(opaque.token);
    expect(active).toMatchObject({
      active: true,
      scope: 'orders:read orders:write',
      client_id: opaque.id,
      sub: 'alice',
      token_type: 'Bearer',
      jti: opaque.id,
    });
    expect(Number.isInteger(active.exp) && Number.isInteger(active.iat)).toBe(true);
    const jwt = (await grant(opaque, 'orders:read')).access_token;
    expect(await introspect(jwt)).toMatchObject({
      active: true,
      scope: 'orders:read',
      client_id: opaque.id,
      aud: 'default',
    });

    const revoked = await createToken({ scopes: ['orders:read'] });
    await t.call('POST', `/v1/tokens/${revoked.id}/revoke`, { body: {} });
    const expiring = await createToken({ scopes: ['orders:read'], ttlSeconds: 60 });
    const forged = `${jwt.slice(0, -4)}AAAA`;
    clock.advance(61_000);
    for (const token of [
      revoked.token,
      expiring.token,
      'gth_unknownunknownunknownunknown000000',
      'garbage',
      forged,
      'a'.repeat(5000),
    ]) {
      expect(await rawIntrospect(token)).toEqual({ active: false });
    }
    const res = await form('/oauth/introspect', `token=${opaque.token}`, {
      authorization: `Bearer ${introspector.token}`,
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('introspection callers: missing or bad credentials or no tokens:verify → 401 invalid_client', async () => {
    const plain = await createToken({ scopes: ['orders:read'] });
    const writer = await createToken({
      api: 'gatehouse',
      scopes: ['tokens:write'],
      ttlSeconds: undefined,
    });
    const callers: Record<string, string>[] = [
      {},
      { authorization: 'Bearer gthm_nope' },
      { authorization: `Bearer ${plain.token}` },
      { authorization: basic(writer.id, writer.token) },
    ];
    for (const headers of callers) {
      const res = await form('/oauth/introspect', `token=${plain.token}`, headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    }
  });

  it('revocation (RFC 7009): self, unknown, repeated; a stranger cannot revoke another token', async () => {
    const self = await createToken({ scopes: ['orders:read'] });
    const revoke = (caller: { id: string; token: string }, token: string) =>
      oauth.revocationRequest(
        as,
        { client_id: caller.id },
        oauth.ClientSecretBasic(caller.token),
        token,
        insecure,
      );
    const first = await revoke(self, self.token);
    expect(first.status).toBe(200);
    expect(await first.clone().text()).toBe('');
    await oauth.processRevocationResponse(first);
    expect(await rawIntrospect(self.token)).toEqual({ active: false });

    const writer = await createToken({
      api: 'gatehouse',
      scopes: ['tokens:write'],
      ttlSeconds: undefined,
    });
    await oauth.processRevocationResponse(await revoke(writer, self.token)); // already revoked: 200
    await oauth.processRevocationResponse(
      await revoke(writer, 'gth_unknownunknownunknownunknown000000'),
    );
    await oauth.processRevocationResponse(await revoke(writer, 'not even a token'));

    const victim = await createToken({
      api: 'gatehouse',
      scopes: ['tokens:read'],
      ttlSeconds: undefined,
    });
    const stranger = await createToken({ scopes: ['orders:read'] });
    const refused = await form('/oauth/revoke', `token=${victim.token}`, {
      authorization: `Bearer ${stranger.token}`,
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'unauthorized_client' });
    expect(await verify(victim.token)).toMatchObject({ valid: true });
    expect((await form('/oauth/revoke', `token=${victim.token}`)).status).toBe(401);
  });

  it('client-credentials JWTs: revoked by their client, and dead once the client token is revoked', async () => {
    const client = await createToken({ scopes: ['orders:read'] });
    const a = (await grant(client)).access_token;
    const b = (await grant(client)).access_token;
    const before = (await t.call('GET', '/v1/events?after=0&limit=1000')).body.lastSeq as number;
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(
        as,
        { client_id: client.id },
        oauth.ClientSecretBasic(client.token),
        a,
        insecure,
      ),
    );
    expect(await verify(a)).toMatchObject({ valid: false, code: 'REVOKED' });
    expect(await rawIntrospect(a)).toEqual({ active: false });
    const events = (await t.call('GET', `/v1/events?after=${before}`)).body.items as {
      type: string;
      tokenId: string;
    }[];
    expect(events.some((e) => e.type === 'jwt.revoked')).toBe(true);
    expect(await verify(b)).toMatchObject({ valid: true });
    await t.call('POST', `/v1/tokens/${client.id}/revoke`, { body: {} });
    expect(await verify(b)).toMatchObject({ valid: false, code: 'REVOKED' });
    expect(await rawIntrospect(b)).toEqual({ active: false });
  });

  it('jwt kind tokens from POST /v1/tokens verify locally and remotely, and are revocable', async () => {
    const created = await t.call('POST', '/v1/tokens', {
      body: { name: 'jwt', kind: 'jwt', scopes: ['orders:read'], ttlSeconds: 3600, subject: 'bob' },
    });
    expect(created.status).toBe(201);
    const jwt: string = created.body.token;
    const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL(as.jwks_uri!)), {
      issuer: t.url,
      audience: 'default',
      typ: 'at+jwt',
      currentDate: new Date(clock.now()),
    });
    expect(payload).toMatchObject({
      jti: created.body.id,
      client_id: created.body.id,
      sub: 'bob',
      scope: 'orders:read',
    });
    expect(await verify(jwt)).toMatchObject({
      valid: true,
      tokenId: created.body.id,
      subject: 'bob',
    });
    expect(await introspect(jwt)).toMatchObject({ active: true, jti: created.body.id });
    // tokens:verify alone may not revoke someone else's token: refused, nothing changes.
    const refused = await oauth.revocationRequest(
      as,
      { client_id: introspector.id },
      oauth.ClientSecretBasic(introspector.token),
      jwt,
      insecure,
    );
    expect(refused.status).toBe(400);
    expect(await verify(jwt)).toMatchObject({ valid: true });
    await t.call('POST', `/v1/tokens/${created.body.id}/revoke`, { body: {} });
    expect(await verify(jwt)).toMatchObject({ valid: false, code: 'REVOKED' });
    expect(await rawIntrospect(jwt)).toEqual({ active: false });
  });

  it('POST /v1/keys/rotate: admin only; new kid signs, old tokens keep verifying until they expire', async () => {
    const client = await createToken({ scopes: ['orders:read'] });
    const old = (await grant(client)).access_token;
    const reader = await createToken({
      api: 'gatehouse',
      scopes: ['tokens:write'],
      ttlSeconds: undefined,
    });
    expect(
      (await t.call('POST', '/v1/keys/rotate', { token: reader.token, body: {} })).status,
    ).toBe(403);
    const rotated = await t.call('POST', '/v1/keys/rotate', { body: { alg: 'ES256' } });
    expect(rotated.status).toBe(201);
    expect(rotated.body.retired).toContain(decodeProtectedHeader(old).kid);
    const fresh = (await grant(client)).access_token;
    expect(decodeProtectedHeader(fresh)).toMatchObject({ kid: rotated.body.kid, alg: 'ES256' });
    const kids = (
      (await (await fetch(as.jwks_uri!)).json()) as { keys: { kid: string }[] }
    ).keys.map((k) => k.kid);
    expect(kids).toEqual(
      expect.arrayContaining([rotated.body.kid, decodeProtectedHeader(old).kid]),
    );
    expect(await verify(old)).toMatchObject({ valid: true });
    expect(await verify(fresh)).toMatchObject({ valid: true });
    expect((await t.call('POST', '/v1/keys/rotate', { body: { alg: 'HS256' } })).status).toBe(400);
    clock.advance(15 * 60_000 + 31_000);
    expect(await verify(old)).toMatchObject({ valid: false, code: 'EXPIRED' });
    expect(await rawIntrospect(fresh)).toEqual({ active: false });
  });
});
