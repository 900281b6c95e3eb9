import { compilePolicy, splitPath } from '@gatehouse/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// Segments drawn from a small alphabet so random patterns and paths actually collide.
const literal = fc.constantFrom('a', 'b', 'orders', '42', 'x.y', 'é');
const patternSegment = fc.oneof(literal, fc.constant('*'), fc.constant('**'));
const pathSegments = fc.array(literal, { maxLength: 6 });
const patternSegments = fc.array(patternSegment, { maxLength: 5 });
const enc = (segments: string[]): string => `/${segments.map(encodeURIComponent).join('/')}`;

/** A straightforward reference matcher: `*` = exactly one segment, `**` = zero or more. */
function reference(pattern: string[], path: string[]): boolean {
  if (pattern.length === 0) return path.length === 0;
  const [head, ...rest] = pattern;
  if (head === '**')
    return path.some((_, k) => reference(rest, path.slice(k))) || reference(rest, []);
  if (path.length === 0) return false;
  return (head === '*' || head === path[0]) && reference(rest, path.slice(1));
}

describe('route matching (property)', () => {
  it('agrees with the reference matcher for any pattern and path', () => {
    fc.assert(
      fc.property(patternSegments, pathSegments, (pattern, path) => {
        const policy = compilePolicy({
          routes: { [`GET ${enc(pattern).replaceAll('%2A', '*')}`]: 'public' },
        });
        const matched = policy.match('GET', enc(path)).kind === 'public';
        expect(matched).toBe(reference(pattern, path));
      }),
      { numRuns: 2000 },
    );
  });

  it('HEAD uses GET routes, other methods never do', () => {
    fc.assert(
      fc.property(
        pathSegments,
        fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
        (path, method) => {
          const policy = compilePolicy({ routes: { 'GET /**': 'public' } });
          expect(policy.match('HEAD', enc(path)).kind).toBe('public');
          expect(policy.match('head', enc(path)).kind).toBe('public');
          expect(policy.match(method, enc(path)).kind).toBe('unmatched');
        },
      ),
    );
  });

  it('the most specific matching route wins, whatever the declaration order', () => {
    fc.assert(
      fc.property(
        pathSegments.filter((p) => p.length >= 1),
        fc.boolean(),
        (path, reversed) => {
          const exact = `GET ${enc(path)}`;
          const oneStar = `GET ${enc(path.slice(0, -1))}${path.length > 1 ? '/' : ''}*`;
          const entries: [string, string[]][] = [
            ['GET /**', ['any:read']],
            [oneStar, ['star:read']],
            [exact, ['exact:read']],
          ];
          if (reversed) entries.reverse();
          const policy = compilePolicy({ routes: Object.fromEntries(entries) });
          expect(policy.match('GET', enc(path))).toMatchObject({ scopes: ['exact:read'] });
          expect(policy.match('GET', `${enc(path)}/more`)).toMatchObject({ scopes: ['any:read'] });
        },
      ),
    );
  });

  it('a literal segment beats a wildcard at the same place', () => {
    const policy = compilePolicy({
      routes: { 'GET /orders/*': ['orders:read'], 'GET /orders/export': ['orders:export'] },
    });
    expect(policy.match('GET', '/orders/export')).toMatchObject({ scopes: ['orders:export'] });
    expect(policy.match('GET', '/orders/7')).toMatchObject({ scopes: ['orders:read'] });
    expect(policy.match('GET', '/orders')).toEqual({ kind: 'unmatched' });
    expect(policy.match('GET', '/orders/7/items')).toEqual({ kind: 'unmatched' });
  });
});

// Ways to make a path mean something else to an upstream than it does to the matcher.
const trick = fc.constantFrom(
  '..',
  '.',
  '%2e%2e',
  '%2E',
  '.%2e',
  '%2f',
  '%2F',
  'a%2fb',
  '%5c',
  'a\\b',
  '/',
  'a;b',
  'admin;x=1',
  '%252e%252e',
  '%25',
  '%00',
  'a%zz',
  '%',
  'a#b',
  'a b',
  'a\tb',
  '%3b',
);

describe('path normalization (property)', () => {
  it('denies dot segments, encoded slashes/dots, double slashes: never a public match', () => {
    const policy = compilePolicy({
      routes: { 'GET /public/**': 'public', 'GET /admin/**': ['admin:read'] },
    });
    fc.assert(
      fc.property(
        fc.array(literal, { maxLength: 3 }),
        trick,
        fc.array(literal, { maxLength: 3 }),
        (before, bad, after) => {
          const path = `/public/${[...before.map(encodeURIComponent), bad, ...after.map(encodeURIComponent)].join('/')}`;
          expect(splitPath(path)).toBeNull();
          expect(policy.match('GET', path)).toEqual({ kind: 'unmatched' });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('round-trips clean paths (query ignored, one trailing slash tolerated)', () => {
    fc.assert(
      fc.property(pathSegments, fc.boolean(), fc.string(), (segments, slash, query) => {
        const path = `${enc(segments)}${slash && segments.length > 0 ? '/' : ''}?${query}`;
        expect(splitPath(path)).toEqual(segments);
      }),
    );
  });

  it('never yields a segment that could be a separator or a dot segment', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (tail) => {
        const segments = splitPath(`/${tail}`);
        if (segments === null) return;
        for (const s of segments) {
          expect(s).not.toBe('');
          expect(s).not.toBe('.');
          expect(s).not.toBe('..');
          expect(s).not.toMatch(/[/\\;]/);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses absolute-form and asterisk-form request targets', () => {
    expect(splitPath('http://evil/public/x')).toBeNull();
    expect(splitPath('*')).toBeNull();
    expect(splitPath('//public')).toBeNull();
  });
});
