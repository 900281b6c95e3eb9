import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server-harness.js';
import { forEachStore } from '../store-harness.js';

/**
 * Random bodies (any JSON value, known fields with wrong types, huge strings, deep nesting,
 * broken JSON, odd content types) at the write and verify endpoints: never a 5xx, and every
 * refusal is a problem+json body.
 */
const FIELDS = [
  'api',
  'name',
  'prefix',
  'policy',
  'subject',
  'scopes',
  'kind',
  'ttlSeconds',
  'expiresAt',
  'ipAllowlist',
  'rateLimit',
  'maxUses',
  'metadata',
  'token',
  'ip',
  'maxTtlSeconds',
  'defaultTtlSeconds',
  'allowedScopes',
  'requireIpAllowlist',
  'limit',
  'windowSeconds',
  '__proto__',
  'constructor',
];

const hugeString = fc.constantFrom('x'.repeat(10_000), '🔑'.repeat(5_000), 'a'.repeat(60_000));
const nested = fc.integer({ min: 50, max: 2_000 }).map((depth) => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
});
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  hugeString,
  nested,
  fc.constantFrom(-1, 0, 1.5, 2 ** 53, -(2 ** 60), 1e308, '', ' ', '10.0.0.0/33', '::1/129'),
  fc.constantFrom('orders:*', '*', 'admin', '2999-01-01T00:00:00Z', '2001-02-30T00:00:00Z'),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 5 }),
);
const fieldBody = fc.dictionary(
  fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 20 })),
  oddValue,
  { maxKeys: 6 },
);

interface Sent {
  text: string;
  contentType: string;
}
const body: fc.Arbitrary<Sent> = fc.oneof(
  fieldBody.map((value) => ({ text: JSON.stringify(value), contentType: 'application/json' })),
  fc
    .jsonValue({ maxDepth: 4 })
    .map((value) => ({ text: JSON.stringify(value) ?? 'null', contentType: 'application/json' })),
  fc.string({ maxLength: 200 }).map((text) => ({ text, contentType: 'application/json' })),
  fc.record({
    text: fieldBody.map((value) => JSON.stringify(value)),
    contentType: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-8',
      'application/JSON',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '',
    ),
  }),
);

forEachStore('random bodies never cause a 5xx', (target) => {
  let t: TestServer;
  let tokenId = '';
  let secret = '';
  beforeAll(async () => {
    t = await startTestServer({ store: target.store() });
    const created = await t.call('POST', '/v1/tokens', {
      body: { name: 'target', scopes: ['orders:read'], subject: 'prop' },
    });
    tokenId = created.body.id;
    secret = created.body.token;
  });
  afterAll(() => t?.close());

  async function send(method: string, path: string, sent: Sent): Promise<void> {
    const headers: Record<string, string> = { authorization: `Bearer ${t.rootToken}` };
    if (sent.contentType) headers['content-type'] = sent.contentType;
    const res = await fetch(`${t.url}${path}`, { method, headers, body: sent.text });
    const text = await res.text();
    const label = `${method} ${path} ${sent.contentType} ${sent.text.slice(0, 300)} → ${res.status} ${text.slice(0, 300)}`;
    expect(res.status, label).toBeLessThan(500);
    if (res.status >= 400) {
      expect(res.headers.get('content-type'), label).toContain('application/problem+json');
      const problem = JSON.parse(text);
      expect(problem.status, label).toBe(res.status);
      expect(typeof problem.code, label).toBe('string');
    }
  }

  const endpoints: Array<[string, () => string]> = [
    ['POST', () => '/v1/tokens'],
    ['PATCH', () => `/v1/tokens/${tokenId}`],
    ['POST', () => '/v1/apis'],
    ['POST', () => '/v1/verify'],
  ];
  for (const [method, path] of endpoints) {
    it(`${method} ${path().replace(/tok_\w*/, '{id}')}`, async () => {
      await fc.assert(
        fc.asyncProperty(body, (sent) => send(method, path(), sent)),
        { numRuns: 150 },
      );
    });
  }

  it('POST /v1/verify with near-miss tokens and random options', async () => {
    const nearMiss = fc
      .tuple(fc.nat({ max: secret.length - 1 }), fc.constantFrom('A', 'z', '0', '_', '', '\u0000'))
      .map(([i, c]) => secret.slice(0, i) + c + secret.slice(i + 1));
    const verifyBody = fc.record(
      {
        token: fc.oneof(nearMiss, fc.constant(secret), fc.string({ maxLength: 100 })),
        scopes: fc.array(fc.string({ maxLength: 30 }), { maxLength: 4 }),
        ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 40 })),
      },
      { requiredKeys: ['token'] },
    );
    await fc.assert(
      fc.asyncProperty(verifyBody, (value) =>
        send('POST', '/v1/verify', {
          text: JSON.stringify(value),
          contentType: 'application/json',
        }),
      ),
      { numRuns: 200 },
    );
  });
});
