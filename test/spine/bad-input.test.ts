import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server-harness.js';
import { forEachStore } from '../store-harness.js';
import { expectProblem, rowCounts } from './problem.js';

/**
 * Every management endpoint validates its input and answers a 4xx problem+json naming the
 * field, and a refused write leaves no row behind (checked in the store itself).
 */
interface Case {
  label: string;
  method: string;
  path: string | (() => string);
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  code?: string;
  field?: string;
}

forEachStore('bad input on every management endpoint', (target) => {
  let t: TestServer;
  let tokenId = '';
  let revokedId = '';
  beforeAll(async () => {
    t = await startTestServer({ store: target.store() });
    const shop = await t.call('POST', '/v1/apis', {
      body: {
        name: 'shop',
        prefix: 'shop',
        policy: { maxTtlSeconds: 3600, allowedScopes: ['orders:*', 'users:read'] },
      },
    });
    expect(shop.status).toBe(201);
    const locked = await t.call('POST', '/v1/apis', {
      body: { name: 'locked', prefix: 'lck', policy: { requireIpAllowlist: true } },
    });
    expect(locked.status).toBe(201);
    const token = await t.call('POST', '/v1/tokens', {
      body: { api: 'shop', name: 'a', scopes: ['orders:read'], ttlSeconds: 60 },
    });
    tokenId = token.body.id;
    const gone = await t.call('POST', '/v1/tokens', { body: { name: 'gone', scopes: ['x'] } });
    revokedId = gone.body.id;
    await t.call('POST', `/v1/tokens/${revokedId}/revoke`, { body: {} });
  });
  afterAll(() => t?.close());

  const v = 'validation_failed';
  const cases: Case[] = [
    // POST /v1/apis
    {
      label: 'api unknown field',
      method: 'POST',
      path: '/v1/apis',
      body: { name: 'ab', prefix: 'ab', color: 'red' },
      status: 400,
      code: v,
      field: 'body.color',
    },
    {
      label: 'api name wrong type',
      method: 'POST',
      path: '/v1/apis',
      body: { name: 7, prefix: 'ab' },
      status: 400,
      code: v,
      field: 'body.name',
    },
    {
      label: 'api bad prefix',
      method: 'POST',
      path: '/v1/apis',
      body: { name: 'ab', prefix: 'A_B' },
      status: 400,
      code: v,
      field: 'body.prefix',
    },
    {
      label: 'api negative max TTL',
      method: 'POST',
      path: '/v1/apis',
      body: { name: 'ab', prefix: 'ab', policy: { maxTtlSeconds: -1 } },
      status: 400,
      code: v,
      field: 'body.policy.maxTtlSeconds',
    },
    {
      label: 'api unknown policy field',
      method: 'POST',
      path: '/v1/apis',
      body: { name: 'ab', prefix: 'ab', policy: { ttl: 1 } },
      status: 400,
      code: v,
      field: 'body.policy.ttl',
    },
    {
      label: 'api default above max',
      method: 'POST',
      path: '/v1/apis',
      body: { name: 'ab', prefix: 'ab', policy: { maxTtlSeconds: 10, defaultTtlSeconds: 20 } },
      status: 400,
      code: v,
      field: 'body.policy.defaultTtlSeconds',
    },
    {
      label: 'api bad allowed scope',
      method: 'POST',
      path: '/v1/apis',
      body: { name: 'ab', prefix: 'ab', policy: { allowedScopes: ['no spaces'] } },
      status: 400,
      code: v,
      field: 'body.policy.allowedScopes[0]',
    },
    {
      label: 'api duplicate name',
      method: 'POST',
      path: '/v1/apis',
      body: { name: 'shop', prefix: 'shoptwo' },
      status: 409,
      code: 'conflict',
      field: 'body.name',
    },
    {
      label: 'api duplicate prefix',
      method: 'POST',
      path: '/v1/apis',
      body: { name: 'other', prefix: 'shop' },
      status: 409,
      code: 'conflict',
      field: 'body.prefix',
    },
    {
      label: 'api invalid JSON',
      method: 'POST',
      path: '/v1/apis',
      body: '{"name":',
      status: 400,
      code: 'invalid_json',
      field: 'body',
    },
    {
      label: 'api wrong content type',
      method: 'POST',
      path: '/v1/apis',
      body: 'name=ab',
      headers: { 'content-type': 'text/plain' },
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      label: 'api body is an array',
      method: 'POST',
      path: '/v1/apis',
      body: [],
      status: 400,
      code: v,
      field: 'body',
    },
    // POST /v1/tokens
    {
      label: 'token unknown field',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: [], owner: 'me' },
      status: 400,
      code: v,
      field: 'body.owner',
    },
    {
      label: 'token scopes wrong type',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: 'a' },
      status: 400,
      code: v,
      field: 'body.scopes',
    },
    {
      label: 'token name wrong type',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: ['x'], scopes: [] },
      status: 400,
      code: v,
      field: 'body.name',
    },
    {
      label: 'token TTL as string',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: [], ttlSeconds: '60' },
      status: 400,
      code: v,
      field: 'body.ttlSeconds',
    },
    {
      label: 'token negative TTL',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: [], ttlSeconds: -5 },
      status: 400,
      code: v,
      field: 'body.ttlSeconds',
    },
    {
      label: 'token fractional TTL',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: [], ttlSeconds: 1.5 },
      status: 400,
      code: v,
      field: 'body.ttlSeconds',
    },
    {
      label: 'token TTL above policy',
      method: 'POST',
      path: '/v1/tokens',
      body: { api: 'shop', name: 'x', scopes: ['orders:read'], ttlSeconds: 3601 },
      status: 400,
      code: 'policy_violation',
      field: 'body.ttlSeconds',
    },
    {
      label: 'token expiresAt above policy',
      method: 'POST',
      path: '/v1/tokens',
      body: { api: 'shop', name: 'x', scopes: [], expiresAt: '2999-01-01T00:00:00Z' },
      status: 400,
      code: 'policy_violation',
      field: 'body.expiresAt',
    },
    {
      label: 'token expiresAt in the past',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: [], expiresAt: '2001-01-01T00:00:00Z' },
      status: 400,
      code: v,
      field: 'body.expiresAt',
    },
    {
      label: 'token expiresAt not a date',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: [], expiresAt: 'tomorrow' },
      status: 400,
      code: v,
      field: 'body.expiresAt',
    },
    {
      label: 'token TTL and expiresAt',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: [], ttlSeconds: 60, expiresAt: '2999-01-01T00:00:00Z' },
      status: 400,
      code: v,
      field: 'body.expiresAt',
    },
    {
      label: 'token scope outside policy',
      method: 'POST',
      path: '/v1/tokens',
      body: { api: 'shop', name: 'x', scopes: ['orders:read', 'admin'] },
      status: 400,
      code: 'policy_violation',
      field: 'body.scopes',
    },
    {
      label: 'token wildcard wider than policy',
      method: 'POST',
      path: '/v1/tokens',
      body: { api: 'shop', name: 'x', scopes: ['users:*'] },
      status: 400,
      code: 'policy_violation',
      field: 'body.scopes',
    },
    {
      label: 'token invalid scope',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: ['a b'] },
      status: 400,
      code: v,
      field: 'body.scopes[0]',
    },
    {
      label: 'token IP allowlist required',
      method: 'POST',
      path: '/v1/tokens',
      body: { api: 'locked', name: 'x', scopes: [] },
      status: 400,
      code: 'policy_violation',
      field: 'body.ipAllowlist',
    },
    {
      label: 'token IP allowlist empty but required',
      method: 'POST',
      path: '/v1/tokens',
      body: { api: 'locked', name: 'x', scopes: [], ipAllowlist: [] },
      status: 400,
      code: 'policy_violation',
      field: 'body.ipAllowlist',
    },
    {
      label: 'token bad CIDR',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: [], ipAllowlist: ['10.0.0.0/8', '10.0.0.0/33'] },
      status: 400,
      code: v,
      field: 'body.ipAllowlist[1]',
    },
    {
      label: 'token bad IPv6 CIDR',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: [], ipAllowlist: ['2001:db8::/129'] },
      status: 400,
      code: v,
      field: 'body.ipAllowlist[0]',
    },
    {
      label: 'token rate limit zero',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: [], rateLimit: { limit: 0, windowSeconds: 1 } },
      status: 400,
      code: v,
      field: 'body.rateLimit.limit',
    },
    {
      label: 'token maxUses negative',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: [], maxUses: -1 },
      status: 400,
      code: v,
      field: 'body.maxUses',
    },
    {
      label: 'token metadata not an object',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: [], metadata: [1] },
      status: 400,
      code: v,
      field: 'body.metadata',
    },
    {
      label: 'token unknown kind',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x', scopes: [], kind: 'magic' },
      status: 400,
      code: v,
      field: 'body.kind',
    },
    {
      label: 'token unknown api',
      method: 'POST',
      path: '/v1/tokens',
      body: { api: 'nope', name: 'x', scopes: [] },
      status: 404,
      code: 'not_found',
      field: 'body.api',
    },
    {
      label: 'token oversize body',
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'x'.repeat(70_000), scopes: [] },
      status: 413,
      code: 'payload_too_large',
      field: 'body',
    },
    {
      label: 'token invalid JSON',
      method: 'POST',
      path: '/v1/tokens',
      body: '{"name": "x", scopes: []}',
      status: 400,
      code: 'invalid_json',
      field: 'body',
    },
    {
      label: 'token empty JSON body',
      method: 'POST',
      path: '/v1/tokens',
      body: '',
      headers: { 'content-type': 'application/json' },
      status: 400,
      code: v,
      field: 'body.name',
    },
    {
      label: 'token wrong content type',
      method: 'POST',
      path: '/v1/tokens',
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      status: 415,
      code: 'unsupported_media_type',
      field: 'content-type',
    },
    {
      label: 'token text/plain',
      method: 'POST',
      path: '/v1/tokens',
      body: '{}',
      headers: { 'content-type': 'text/plain' },
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      label: 'token without a body',
      method: 'POST',
      path: '/v1/tokens',
      status: 400,
      code: v,
      field: 'body.name',
    },
    // GET /v1/tokens
    {
      label: 'list bad cursor',
      method: 'GET',
      path: '/v1/tokens?cursor=not-a-cursor!',
      status: 400,
      code: 'invalid_cursor',
      field: 'query.cursor',
    },
    {
      label: 'list forged cursor',
      method: 'GET',
      path: `/v1/tokens?cursor=${Buffer.from('{"a":1}').toString('base64url')}`,
      status: 400,
      code: 'invalid_cursor',
      field: 'query.cursor',
    },
    {
      label: 'list limit zero',
      method: 'GET',
      path: '/v1/tokens?limit=0',
      status: 400,
      code: v,
      field: 'query.limit',
    },
    {
      label: 'list limit text',
      method: 'GET',
      path: '/v1/tokens?limit=ten',
      status: 400,
      code: v,
      field: 'query.limit',
    },
    {
      label: 'list limit too big',
      method: 'GET',
      path: '/v1/tokens?limit=100000',
      status: 400,
      code: v,
      field: 'query.limit',
    },
    {
      label: 'list bad status',
      method: 'GET',
      path: '/v1/tokens?status=sleeping',
      status: 400,
      code: v,
      field: 'query.status',
    },
    {
      label: 'list unknown query field',
      method: 'GET',
      path: '/v1/tokens?owner=me',
      status: 400,
      code: v,
      field: 'query.owner',
    },
    {
      label: 'list unknown api',
      method: 'GET',
      path: '/v1/tokens?api=nope',
      status: 404,
      code: 'not_found',
      field: 'query.api',
    },
    // GET/PATCH /v1/tokens/{id}
    {
      label: 'show unknown id',
      method: 'GET',
      path: '/v1/tokens/tok_doesnotexist',
      status: 404,
      code: 'not_found',
      field: 'id',
    },
    {
      label: 'show overlong id',
      method: 'GET',
      path: `/v1/tokens/${'x'.repeat(101)}`,
      status: 400,
      code: v,
      field: 'params.id',
    },
    {
      label: 'patch unknown id',
      method: 'PATCH',
      path: '/v1/tokens/tok_doesnotexist',
      body: { name: 'y' },
      status: 404,
      code: 'not_found',
      field: 'id',
    },
    {
      label: 'patch empty body',
      method: 'PATCH',
      path: () => `/v1/tokens/${tokenId}`,
      body: {},
      status: 400,
      code: v,
      field: 'body',
    },
    {
      label: 'patch unknown field',
      method: 'PATCH',
      path: () => `/v1/tokens/${tokenId}`,
      body: { expiresAt: '2999-01-01T00:00:00Z' },
      status: 400,
      code: v,
      field: 'body.expiresAt',
    },
    {
      label: 'patch scopes wrong type',
      method: 'PATCH',
      path: () => `/v1/tokens/${tokenId}`,
      body: { scopes: [1] },
      status: 400,
      code: v,
      field: 'body.scopes[0]',
    },
    {
      label: 'patch scope outside policy',
      method: 'PATCH',
      path: () => `/v1/tokens/${tokenId}`,
      body: { scopes: ['billing:read'] },
      status: 400,
      code: 'policy_violation',
      field: 'body.scopes',
    },
    {
      label: 'patch bad CIDR',
      method: 'PATCH',
      path: () => `/v1/tokens/${tokenId}`,
      body: { ipAllowlist: ['::1/200'] },
      status: 400,
      code: v,
      field: 'body.ipAllowlist[0]',
    },
    {
      label: 'patch invalid JSON',
      method: 'PATCH',
      path: () => `/v1/tokens/${tokenId}`,
      body: '{',
      status: 400,
      code: 'invalid_json',
    },
    {
      label: 'patch wrong content type',
      method: 'PATCH',
      path: () => `/v1/tokens/${tokenId}`,
      body: 'name=y',
      headers: { 'content-type': 'text/plain' },
      status: 415,
      code: 'unsupported_media_type',
    },
    // POST /v1/tokens/{id}/revoke
    {
      label: 'revoke unknown id',
      method: 'POST',
      path: '/v1/tokens/tok_doesnotexist/revoke',
      body: {},
      status: 404,
      code: 'not_found',
      field: 'id',
    },
    {
      label: 'revoke unknown field',
      method: 'POST',
      path: () => `/v1/tokens/${tokenId}/revoke`,
      body: { why: 'x' },
      status: 400,
      code: v,
      field: 'body.why',
    },
    {
      label: 'revoke waitMs above max',
      method: 'POST',
      path: () => `/v1/tokens/${tokenId}/revoke`,
      body: { wait: true, waitMs: 60_000 },
      status: 400,
      code: v,
      field: 'body.waitMs',
    },
    {
      label: 'revoke wait wrong type',
      method: 'POST',
      path: () => `/v1/tokens/${tokenId}/revoke`,
      body: { wait: 'yes' },
      status: 400,
      code: v,
      field: 'body.wait',
    },
    // POST /v1/tokens/{id}/rotate
    {
      label: 'rotate unknown id',
      method: 'POST',
      path: '/v1/tokens/tok_doesnotexist/rotate',
      body: {},
      status: 404,
      code: 'not_found',
      field: 'id',
    },
    {
      label: 'rotate negative overlap',
      method: 'POST',
      path: () => `/v1/tokens/${tokenId}/rotate`,
      body: { overlapSeconds: -1 },
      status: 400,
      code: v,
      field: 'body.overlapSeconds',
    },
    {
      label: 'rotate unknown field',
      method: 'POST',
      path: () => `/v1/tokens/${tokenId}/rotate`,
      body: { overlap: 5 },
      status: 400,
      code: v,
      field: 'body.overlap',
    },
    {
      label: 'rotate a revoked token',
      method: 'POST',
      path: () => `/v1/tokens/${revokedId}/rotate`,
      body: {},
      status: 409,
      code: 'conflict',
      field: 'id',
    },
    // POST /v1/subjects/{subject}/revoke
    {
      label: 'subject revoke unknown field',
      method: 'POST',
      path: '/v1/subjects/alice/revoke',
      body: { all: true },
      status: 400,
      code: v,
      field: 'body.all',
    },
    {
      label: 'subject revoke overlong subject',
      method: 'POST',
      path: `/v1/subjects/${'s'.repeat(201)}/revoke`,
      body: {},
      status: 400,
      code: v,
      field: 'params.subject',
    },
    {
      label: 'subject revoke reason wrong type',
      method: 'POST',
      path: '/v1/subjects/alice/revoke',
      body: { reason: 5 },
      status: 400,
      code: v,
      field: 'body.reason',
    },
    // POST /v1/verify
    {
      label: 'verify missing token',
      method: 'POST',
      path: '/v1/verify',
      body: {},
      status: 400,
      code: v,
      field: 'body.token',
    },
    {
      label: 'verify token wrong type',
      method: 'POST',
      path: '/v1/verify',
      body: { token: 12 },
      status: 400,
      code: v,
      field: 'body.token',
    },
    {
      label: 'verify scopes wrong type',
      method: 'POST',
      path: '/v1/verify',
      body: { token: 'x', scopes: 'a' },
      status: 400,
      code: v,
      field: 'body.scopes',
    },
    {
      label: 'verify unknown field',
      method: 'POST',
      path: '/v1/verify',
      body: { token: 'x', api: 'shop' },
      status: 400,
      code: v,
      field: 'body.api',
    },
    {
      label: 'verify huge token',
      method: 'POST',
      path: '/v1/verify',
      body: { token: 'x'.repeat(9000) },
      status: 400,
      code: v,
      field: 'body.token',
    },
    {
      label: 'verify oversize body',
      method: 'POST',
      path: '/v1/verify',
      body: { token: 'x'.repeat(80_000) },
      status: 413,
      code: 'payload_too_large',
    },
    {
      label: 'verify invalid JSON',
      method: 'POST',
      path: '/v1/verify',
      body: 'token=x',
      status: 400,
      code: 'invalid_json',
    },
    {
      label: 'verify wrong content type',
      method: 'POST',
      path: '/v1/verify',
      body: 'x',
      headers: { 'content-type': 'application/xml' },
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      label: 'api oversize body',
      method: 'POST',
      path: '/v1/apis',
      body: { name: 'ab', prefix: 'ab', policy: { allowedScopes: Array(12_000).fill('a:b') } },
      status: 413,
      code: 'payload_too_large',
    },
    {
      label: 'patch oversize body',
      method: 'PATCH',
      path: () => `/v1/tokens/${tokenId}`,
      body: { metadata: { big: 'x'.repeat(70_000) } },
      status: 413,
      code: 'payload_too_large',
    },
    {
      label: 'broken percent-encoding in the path',
      method: 'GET',
      path: '/v1/tokens/%E0%A4%A',
      status: 400,
      field: 'path',
    },
    // Unknown routes are problems too.
    {
      label: 'unknown route',
      method: 'GET',
      path: '/v1/nothing-here',
      status: 404,
      code: 'not_found',
    },
  ];

  it('answers 4xx problem+json naming the field, and writes nothing', async () => {
    const before = await rowCounts(target.store());
    // Collected, so one run shows every endpoint that misbehaves.
    const failures: string[] = [];
    for (const c of cases) {
      const path = typeof c.path === 'function' ? c.path() : c.path;
      const res = await t.call(c.method, path, {
        ...(c.body !== undefined ? { body: c.body } : {}),
        ...(c.headers ? { headers: c.headers } : {}),
      });
      try {
        expectProblem(res, c, c.label);
      } catch (error) {
        failures.push((error as Error).message.split('\n')[0] ?? c.label);
      }
    }
    expect(failures).toEqual([]);
    expect(await rowCounts(target.store())).toEqual(before);
  });

  it('keeps the token that bad requests aimed at unchanged', async () => {
    const shown = await t.call('GET', `/v1/tokens/${tokenId}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ name: 'a', scopes: ['orders:read'], status: 'active' });
    expect(shown.body.rotatedTo).toBeNull();
  });

  it('requires a management token on every endpoint, and the right scope', async () => {
    const verifyOnly = await t.managementToken(['tokens:verify']);
    const calls: Array<[string, string, unknown?]> = [
      ['POST', '/v1/apis', { name: 'zz', prefix: 'zz' }],
      ['GET', '/v1/apis'],
      ['POST', '/v1/tokens', { name: 'x', scopes: [] }],
      ['GET', '/v1/tokens'],
      ['GET', `/v1/tokens/${tokenId}`],
      ['PATCH', `/v1/tokens/${tokenId}`, { name: 'y' }],
      ['POST', `/v1/tokens/${tokenId}/revoke`, {}],
      ['POST', `/v1/tokens/${tokenId}/rotate`, {}],
      ['POST', '/v1/subjects/alice/revoke', {}],
    ];
    const before = await rowCounts(target.store());
    for (const [method, path, body] of calls) {
      const opts = body === undefined ? {} : { body };
      expectProblem(
        await t.call(method, path, { ...opts, token: null }),
        { status: 401, code: 'unauthorized' },
        `${method} ${path} anonymous`,
      );
      expectProblem(
        await t.call(method, path, { ...opts, token: 'gthm_not-a-token' }),
        { status: 401, code: 'unauthorized' },
        `${method} ${path} garbage token`,
      );
      expectProblem(
        await t.call(method, path, { ...opts, token: verifyOnly }),
        { status: 403, code: 'forbidden' },
        `${method} ${path} wrong scope`,
      );
    }
    expect(await rowCounts(target.store())).toEqual(before);
    expectProblem(await t.call('POST', '/v1/verify', { body: { token: 'x' }, token: null }), {
      status: 401,
      code: 'unauthorized',
    });
  });
});
