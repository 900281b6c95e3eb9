import { compilePolicy } from '@gatehouse/core';
import { describe, expect, it } from 'vitest';
import { decideForwardAuth, parseScopes } from './forward-auth-decision.js';
import { memoryVerifier } from './testing/memory-verifier.js';

const policy = compilePolicy({
  routes: {
    'GET /': 'public',
    'GET /orders/**': ['orders:read'],
    'POST /orders': ['orders:write'],
  },
});
const verifier = memoryVerifier({
  gth_r: { tokenId: 'tok_r', api: 'default', subject: 'Zoë\r\nX-Evil: 1', scopes: ['orders:read'] },
});
const base = {
  policy,
  verifier,
  realm: 'gatehouse',
  method: 'GET',
  scopesParam: undefined,
  peerIp: '10.9.9.9',
};

describe('forward auth decision', () => {
  it('parses scopes= lists and refuses bad entries', () => {
    expect(parseScopes(undefined)).toEqual([]);
    expect(parseScopes('a:read, b:write  c:x')).toEqual(['a:read', 'b:write', 'c:x']);
    expect(parseScopes(['a:read', 'a:read,b:*'])).toEqual(['a:read', 'b:*']);
    expect(parseScopes('a:read,<script>')).toBeNull();
  });

  it('takes the right-most X-Forwarded-For entry as the client (left ones are forgeable)', async () => {
    const d = await decideForwardAuth({
      ...base,
      headers: {
        authorization: 'Bearer gth_r',
        'x-original-uri': '/orders/1',
        'x-forwarded-for': '1.2.3.4, 192.0.2.7',
      },
    });
    expect(d.original.ip).toBe('192.0.2.7');
    expect(verifier.last?.ip).toBe('192.0.2.7');
    expect(d.status).toBe(200);
    // A subject that is not printable ASCII is percent-encoded: it can never split a header.
    expect(d.headers['x-gatehouse-subject']).toBe('Zo%C3%AB%0D%0AX-Evil%3A%201');
  });

  it('prefers X-Original-* over X-Forwarded-* over the Envoy path suffix', async () => {
    const headers = { authorization: 'Bearer gth_r' };
    const envoyRoot = await decideForwardAuth({ ...base, headers: {}, pathSuffix: '/' });
    expect(envoyRoot.status).toBe(200);
    const envoyPost = await decideForwardAuth({
      ...base,
      headers,
      method: 'POST',
      pathSuffix: '/orders',
    });
    expect(envoyPost.status).toBe(403);
    const both = await decideForwardAuth({
      ...base,
      headers: { ...headers, 'x-original-uri': '/orders/2', 'x-forwarded-uri': '/nope' },
      pathSuffix: '/nope',
    });
    expect(both).toMatchObject({ status: 200, original: { method: 'GET', uri: '/orders/2' } });
  });

  it('denies (403) when no original URI is given and a policy is configured', async () => {
    const d = await decideForwardAuth({ ...base, headers: { authorization: 'Bearer gth_r' } });
    expect(d.status).toBe(403);
    const noPolicy = await decideForwardAuth({
      ...base,
      policy: null,
      headers: { authorization: 'Bearer gth_r' },
      scopesParam: 'orders:read',
    });
    expect(noPolicy.status).toBe(200);
  });
});
