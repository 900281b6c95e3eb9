import { expect } from 'vitest';
import type { Store } from '../../src/store/store.js';

/** A response as returned by `TestServer.call`. */
export interface CallResult {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  body: any;
}

/**
 * Asserts an RFC 9457 problem response: the status, `application/problem+json`, the stable code
 * and (when given) the field it names.
 * @example expectProblem(res, { status: 400, code: 'validation_failed', field: 'body.name' });
 */
export function expectProblem(
  res: CallResult,
  expected: { status: number; code?: string; field?: string },
  label = '',
): void {
  const where = `${label} → ${res.status} ${JSON.stringify(res.body)}`;
  expect(res.status, where).toBe(expected.status);
  expect(res.headers.get('content-type'), where).toContain('application/problem+json');
  expect(res.body.status, where).toBe(expected.status);
  expect(typeof res.body.type, where).toBe('string');
  expect(typeof res.body.title, where).toBe('string');
  expect(typeof res.body.detail, where).toBe('string');
  if (expected.code) expect(res.body.code, where).toBe(expected.code);
  if (expected.field) expect(res.body.field, where).toBe(expected.field);
}

/** Row counts of the tables a management write touches, read straight from the store. */
export async function rowCounts(store: Store): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['tokens', 'apis', 'changes', 'audit_events'] as const) {
    const row = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}
