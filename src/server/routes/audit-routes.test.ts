import { ManualClock } from '@gatehouse/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server-harness.js';
import { forEachStore } from '../../../test/store-harness.js';
import { type AuditLog, createAuditLog } from '../../audit/audit-log.js';

const T0 = Date.UTC(2026, 2, 1);

forEachStore('audit HTTP API', (target) => {
  let t: TestServer;
  let reader: string;
  let audit: AuditLog;
  const clock = new ManualClock(T0);
  beforeAll(async () => {
    // The server audits its own management calls; a day earlier, they stay out of these ranges.
    t = await startTestServer({ store: target.store(), clock: new ManualClock(T0 - 86_400_000) });
    reader = await t.managementToken(['audit:read']);
    audit = createAuditLog({ store: target.store(), nodeId: 'node_http', clock });
    for (let i = 0; i < 30; i++) {
      clock.advance(1000);
      audit.record({
        type: i % 3 === 0 ? 'token.rejected' : 'token.verified',
        tokenId: i % 2 === 0 ? 'tok_even00000000' : 'tok_odd000000000',
        subject: 'alice',
        result: i % 3 === 0 ? 'REVOKED' : 'VALID',
        ip: '192.0.2.1',
        method: 'POST',
        path: '/v1/verify',
        status: 200,
        latencyMs: 0.5,
      });
    }
    clock.advance(1000);
    await target.store().write((tx) =>
      audit.recordInTransaction(tx, {
        type: 'api.created',
        actor: 'tok_admin0000000',
        details: { name: 'orders' },
      }),
    );
    await audit.flush();
  });
  afterAll(async () => {
    await audit?.close();
    await t?.close();
  });

  const get = (path: string, token: string | null = reader) => t.call('GET', path, { token });

  it('requires audit:read', async () => {
    expect((await get('/v1/audit', null)).status).toBe(401);
    const other = await t.managementToken(['tokens:read']);
    const denied = await get('/v1/audit', other);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('forbidden');
    for (const path of ['/v1/audit/export', '/v1/audit/stream']) {
      const res = await get(path, other);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
    }
    expect((await t.call('POST', '/v1/audit/verify', { token: other })).status).toBe(403);
  });

  it('lists newest first in the contract shape, absent fields omitted', async () => {
    const res = await get('/v1/audit?limit=2');
    expect(res.status).toBe(200);
    const [newest, next] = res.body.items;
    expect(newest).toEqual({
      id: expect.stringMatching(/^evt_/),
      time: new Date(T0 + 31_000).toISOString(),
      type: 'api.created',
      actor: 'tok_admin0000000',
      details: { name: 'orders' },
      nodeId: 'node_http',
    });
    expect(next).toMatchObject({
      type: 'token.verified',
      time: new Date(T0 + 30_000).toISOString(),
      latencyMs: 0.5,
    });
    expect(typeof res.body.nextCursor).toBe('string');
  });

  it('filters by token, subject, type (and family), result and time range, and pages with the cursor', async () => {
    const ids = async (query: string): Promise<string[]> => {
      const out: string[] = [];
      let cursor = '';
      for (;;) {
        const res = await get(`/v1/audit?${query}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        out.push(...res.body.items.map((item: { id: string }) => item.id));
        if (!res.body.nextCursor) return out;
        cursor = res.body.nextCursor;
      }
    };
    expect(await ids('tokenId=tok_even00000000')).toHaveLength(15);
    expect(await ids('subject=alice')).toHaveLength(30);
    expect(await ids('type=token.rejected')).toHaveLength(10);
    expect(await ids('type=token.*&subject=alice')).toHaveLength(30);
    expect(await ids('result=REVOKED&tokenId=tok_even00000000')).toHaveLength(5);
    const since = new Date(T0 + 10_000).toISOString();
    const until = new Date(T0 + 20_000).toISOString();
    expect(await ids(`since=${since}&until=${until}`)).toHaveLength(10);
    const all = await ids('subject=alice');
    expect(new Set(all).size).toBe(30);
  });

  it('answers bad query parameters with 400 problem+json naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['limit=0', 'query.limit'],
      ['limit=abc', 'query.limit'],
      ['type=token.exploded', 'query.type'],
      ['since=yesterday', 'query.since'],
      ['since=2026-03-02&until=2026-03-01', 'query.until'],
      ['tokenId=not-a-token', 'query.tokenId'],
      ['cursor=garbage!', 'query.cursor'],
      ['result=valid', 'query.result'],
      ['colour=blue', 'query.colour'],
    ];
    for (const [query, field] of cases) {
      const res = await get(`/v1/audit?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.field, query).toBe(field);
    }
    expect((await get('/v1/audit/export?limit=5')).body.field).toBe('query.limit');
  });

  it('exports a range as NDJSON, oldest first, with chain fields', async () => {
    const res = await fetch(`${t.url}/v1/audit/export?since=${T0 + 5000}`, {
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(27);
    expect(lines[0]).toMatchObject({
      time: new Date(T0 + 5000).toISOString(),
      nodeId: 'node_http',
    });
    expect(lines[0].hash).toMatch(/^[0-9a-f]{64}$/);
    const times = lines.map((line) => Date.parse(line.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('verifies the chain and reports the first bad event after a row is edited', async () => {
    const ok = await t.call('POST', '/v1/audit/verify', { token: reader });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, checked: expect.any(Number) });
    expect(ok.body.checked).toBeGreaterThanOrEqual(31);
    const victim = (await get('/v1/audit?type=api.created')).body.items[0];
    await sql`update audit_events set actor = 'tok_intruder0000' where id = ${victim.id}`.execute(
      target.store().db,
    );
    const bad = await t.call('POST', '/v1/audit/verify', {
      token: reader,
      body: { nodeId: 'node_http' },
    });
    expect(bad.body).toMatchObject({
      ok: false,
      firstBadEvent: { id: victim.id, nodeId: 'node_http', reason: 'hash_mismatch' },
    });
    expect(
      (await t.call('POST', '/v1/audit/verify', { token: reader, body: { bogus: 1 } })).status,
    ).toBe(400);
  });

  it('streams new events live over SSE and resumes from Last-Event-ID', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.url}/v1/audit/stream?type=request.denied`, {
      headers: { authorization: `Bearer ${reader}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader$ = sseReader(res);
    expect((await reader$.next()).event).toBe('hello');
    audit.record({ type: 'token.verified', result: 'VALID' }); // filtered out
    audit.record({
      type: 'request.denied',
      path: '/orders',
      status: 403,
      result: 'INSUFFICIENT_SCOPE',
    });
    await audit.flush();
    const message = await reader$.next();
    expect(message.event).toBe('audit');
    expect(JSON.parse(message.data)).toMatchObject({
      type: 'request.denied',
      path: '/orders',
      status: 403,
    });
    controller.abort();

    audit.record({ type: 'request.denied', path: '/missed-while-away', status: 403 });
    await audit.flush();
    const resumed = await fetch(`${t.url}/v1/audit/stream`, {
      headers: { authorization: `Bearer ${reader}`, 'last-event-id': message.id },
    });
    const again = sseReader(resumed);
    await again.next(); // hello
    // The filtered-out token.verified came before the denial in the chain: the id already covers it.
    expect(JSON.parse((await again.next()).data)).toMatchObject({ path: '/missed-while-away' });
    await again.cancel();
    const badResume = await t.call('GET', '/v1/audit/stream', {
      token: reader,
      headers: { 'last-event-id': 'not-a-position' },
    });
    expect(badResume.status).toBe(400);
    expect(badResume.body.field).toBe('headers.last-event-id');
  }, 15_000);
});

/** Minimal SSE parser over a fetch body: next() resolves with the next complete event. */
function sseReader(res: Response): {
  next(): Promise<{ event: string; id: string; data: string }>;
  cancel(): Promise<void>;
} {
  const body = res.body;
  if (!body) throw new Error('no body');
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    cancel: () => reader.cancel(),
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':')) continue;
          const field = (name: string): string =>
            block
              .split('\n')
              .find((line) => line.startsWith(`${name}: `))
              ?.slice(name.length + 2) ?? '';
          return { event: field('event'), id: field('id'), data: field('data') };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}
