import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile, PolicyFileError, parsePolicyText } from './policy-file.js';

function errorOf(text: string): PolicyFileError {
  try {
    parsePolicyText(text, 'policy.yaml');
  } catch (error) {
    if (error instanceof PolicyFileError) return error;
    throw error;
  }
  throw new Error('expected the policy to be refused');
}

describe('policy file', () => {
  it('compiles the contract example', () => {
    const policy = parsePolicyText(
      [
        'api: default              # optional',
        'routes:',
        '  "GET /health": public',
        '  "GET /orders/**": [orders:read]   # * one segment, ** zero or more',
        '  "POST /orders": [orders:write]',
      ].join('\n'),
      'policy.yaml',
    );
    expect(policy.api).toBe('default');
    expect(policy.match('GET', '/health')).toMatchObject({ kind: 'public' });
    expect(policy.match('HEAD', '/orders/1/items')).toMatchObject({ scopes: ['orders:read'] });
    expect(policy.match('DELETE', '/orders')).toEqual({ kind: 'unmatched' });
  });

  it.each([
    ['routes:\n  "GET /health": public\n  "GET /health": public\n', 3, 3, /unique/i],
    [
      'routes:\n  "GET /health": public\n  "FETCH /x": public\n',
      3,
      3,
      /must look like "GET \/path"/,
    ],
    [
      'routes:\n  "GET /x": [orders:read, "bad scope"]\n',
      2,
      27,
      /"bad scope" is not a valid scope/,
    ],
    ['api: default\nroutez: {}\n', 2, 1, /unknown policy key "routez"/],
    ['routes:\n  "GET /x": privat\n', 2, 13, /"public" or a non-empty list/],
    ['routes:\n  "GET /a/../b": public\n', 2, 3, /invalid path segment/],
    ['api: 42\nroutes: {}\n', 1, 6, /"api" must be a non-empty string/],
    ['', 1, 1, /must be a mapping/],
    ['routes: [\n', 2, 1, /./],
  ])('refuses %j at its line and column', (text, line, column, message) => {
    const error = errorOf(text);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.problem).toMatch(message);
    expect(error.message).toBe(`policy.yaml:${line}:${column}: ${error.problem}`);
  });

  it('names the file when it cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-policy-'));
    await expect(loadPolicyFile(join(dir, 'missing.yaml'))).rejects.toThrow(
      /missing\.yaml:1:1: cannot read the policy file \(ENOENT\)/,
    );
    writeFileSync(join(dir, 'p.yaml'), 'routes:\n  "GET /**": [a:b]\n');
    const policy = await loadPolicyFile(join(dir, 'p.yaml'));
    expect(policy.match('GET', '/')).toMatchObject({ kind: 'scopes' });
  });
});
