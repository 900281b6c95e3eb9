import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OPENAPI_COMMAND,
  OPENAPI_FILE,
  renderOpenApiDocument,
} from '../../src/server/openapi-document.js';
import { startTestServer, type TestServer } from '../server-harness.js';

/**
 * The OpenAPI document is generated from the schemas that validate requests. The committed
 * docs/openapi.json must equal what the running server serves, and every operation must declare
 * the inputs it reads.
 */
interface Operation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
}
type Spec = { paths: Record<string, Record<string, Operation>> };

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function operations(spec: Spec): Array<[string, Operation]> {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]),
  );
}

describe('OpenAPI document', () => {
  let t: TestServer;
  let served: Spec;
  beforeAll(async () => {
    t = await startTestServer();
    served = (await t.call('GET', '/openapi.json', { token: null })).body;
  });
  afterAll(() => t?.close());

  it(`committed ${OPENAPI_FILE} matches the running server (else run: ${OPENAPI_COMMAND})`, async () => {
    const committedText = readFileSync(
      fileURLToPath(new URL(`../../${OPENAPI_FILE}`, import.meta.url)),
      'utf8',
    );
    const current = await renderOpenApiDocument();
    const committedOps = new Set(operations(JSON.parse(committedText)).map(([name]) => name));
    const currentOps = new Set(operations(JSON.parse(current)).map(([name]) => name));
    const added = [...currentOps].filter((op) => !committedOps.has(op));
    const removed = [...committedOps].filter((op) => !currentOps.has(op));
    const hint =
      `${OPENAPI_FILE} is stale: routes changed without regenerating it. Run \`${OPENAPI_COMMAND}\` ` +
      `and commit ${OPENAPI_FILE}.` +
      (added.length ? ` New: ${added.join(', ')}.` : '') +
      (removed.length ? ` Gone: ${removed.join(', ')}.` : '') +
      (!added.length && !removed.length ? ' (Same routes; schemas or descriptions differ.)' : '');
    expect(committedText === current, hint).toBe(true);
    // And the renderer shows exactly what a running server serves.
    expect(JSON.parse(current)).toEqual(served);
  });

  it('declares the request schema of every operation (path params, bodies)', () => {
    const problems: string[] = [];
    for (const [name, op] of operations(served)) {
      const path = name.split(' ')[1] ?? '';
      const declared = new Set(
        (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
      );
      for (const [, param] of path.matchAll(/\{([^}]+)\}/g)) {
        if (!declared.has(param!))
          problems.push(`${name}: path parameter "${param}" has no schema`);
      }
      const method = name.split(' ')[0] ?? '';
      if (['POST', 'PUT', 'PATCH'].includes(method)) {
        const content = op.requestBody?.content ?? {};
        if (Object.keys(content).length === 0) {
          problems.push(
            `${name}: no request body schema (declare schema.body, even an empty object)`,
          );
        }
        const json = content['application/json']?.schema;
        if (json && json.additionalProperties !== false) {
          problems.push(`${name}: JSON body schema accepts unknown fields (additionalProperties)`);
        }
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('covers the management API of the contract', () => {
    const names = new Set(operations(served).map(([name]) => name));
    for (const op of [
      'POST /v1/apis',
      'GET /v1/apis',
      'POST /v1/tokens',
      'GET /v1/tokens',
      'GET /v1/tokens/{id}',
      'PATCH /v1/tokens/{id}',
      'POST /v1/tokens/{id}/revoke',
      'POST /v1/tokens/{id}/rotate',
      'POST /v1/subjects/{subject}/revoke',
      'POST /v1/verify',
      'GET /healthz',
      'GET /readyz',
    ]) {
      expect(names.has(op), op).toBe(true);
    }
  });

  it('serves the docs UI at /docs', async () => {
    const res = await fetch(`${t.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toMatch(/swagger/i);
  });
});
