import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { challengeFor, parseAuthorization } from './bearer.js';

const b64token = fc.stringMatching(/^[A-Za-z0-9\-._~+/]+=*$/);
const space = fc.stringMatching(/^[ \t]{1,3}$/);
const bearerCasing = fc
  .array(fc.boolean(), { minLength: 6, maxLength: 6 })
  .map((upper) => [...'bearer'].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));

describe('parseAuthorization (properties, CONTRACT §5)', () => {
  it('never throws, whatever the header', () => {
    const header = fc.oneof(
      fc.string(),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.constant(undefined),
      fc.constant(null),
    );
    fc.assert(
      fc.property(header, (value) => {
        expect(['none', 'malformed', 'token']).toContain(parseAuthorization(value).kind);
      }),
    );
  });

  it('reads exactly one b64token after a case-insensitive Bearer', () => {
    fc.assert(
      fc.property(bearerCasing, space, b64token, space, (scheme, gap, token, trailing) => {
        expect(parseAuthorization(`${scheme}${gap}${token}${trailing}`)).toEqual({
          kind: 'token',
          token,
        });
      }),
    );
  });

  it('classifies missing, empty, bare Bearer and other schemes as no credentials', () => {
    const otherScheme = fc
      .stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/)
      .filter((s) => s.toLowerCase() !== 'bearer');
    fc.assert(
      fc.property(otherScheme, fc.string(), (scheme, rest) => {
        expect(parseAuthorization(`${scheme} ${rest}`)).toEqual({ kind: 'none' });
      }),
    );
    for (const header of [undefined, null, '', '   ', 'Bearer', 'bearer  ', []]) {
      expect(parseAuthorization(header)).toEqual({ kind: 'none' });
    }
  });

  it('classifies Bearer followed by anything but one token as malformed', () => {
    fc.assert(
      fc.property(bearerCasing, b64token, space, b64token, (scheme, a, gap, b) => {
        expect(parseAuthorization(`${scheme} ${a}${gap}${b}`)).toEqual({ kind: 'malformed' });
      }),
    );
    for (const header of [
      'Bearer a,b',
      'Bearer "abc"',
      'Bearer a=b',
      'Bearer ä',
      ['Bearer a', 'Bearer b'],
    ]) {
      expect(parseAuthorization(header)).toEqual({ kind: 'malformed' });
    }
  });
});

describe('challengeFor', () => {
  it('answers per RFC 6750 for each outcome', () => {
    const realm = { realm: 'api' };
    expect(challengeFor({ kind: 'none' }, realm)).toMatchObject({
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="api"' },
    });
    expect(challengeFor({ kind: 'malformed' }, realm).status).toBe(400);
    const denied = (code: 'NOT_FOUND' | 'EXPIRED' | 'REVOKED') =>
      challengeFor({ kind: 'denied', result: { valid: false, code } }, realm);
    expect(denied('EXPIRED')).toEqual(denied('NOT_FOUND'));
    expect(denied('REVOKED')).toEqual(denied('NOT_FOUND'));
    expect(
      challengeFor(
        {
          kind: 'denied',
          result: { valid: false, code: 'INSUFFICIENT_SCOPE' },
          requiredScopes: ['a:b', 'c:d'],
        },
        realm,
      ).headers['www-authenticate'],
    ).toBe('Bearer realm="api", error="insufficient_scope", scope="a:b c:d"');
    expect(
      challengeFor(
        { kind: 'denied', result: { valid: false, code: 'RATE_LIMITED', retryAfterSeconds: 2.2 } },
        realm,
      ),
    ).toMatchObject({
      status: 429,
      headers: { 'retry-after': '3' },
    });
  });
});
