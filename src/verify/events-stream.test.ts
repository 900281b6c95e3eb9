import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/server-harness.js';
import { forEachStore } from '../../test/store-harness.js';

interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** A minimal SSE reader over fetch: `next()` resolves with the next event (comments skipped). */
async function openStream(url: string, token: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const next = async (): Promise<SseEvent> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = { data: '' };
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(': ');
          const value = rest.join(': ');
          if (field === 'id') event.id = value;
          else if (field === 'event') event.event = value;
          else if (field === 'data') event.data += value;
        }
        if (event.event) return event;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += value;
    }
  };
  return { res, next, close: () => controller.abort() };
}

forEachStore('change feed endpoints', (target) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ...target.openOptions() });
  });
  afterAll(() => t?.close());

  const create = async (name: string) =>
    (await t.call('POST', '/v1/tokens', { body: { name, scopes: ['orders:read'] } })).body;

  it('streams changes, and a resumed subscriber (Last-Event-ID) misses nothing', async () => {
    const first = await openStream(`${t.url}/v1/events/stream?subscriber=edge-1`, t.rootToken);
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('content-type')).toContain('text/event-stream');
    const hello = await first.next();
    expect(hello.event).toBe('hello');
    expect(JSON.parse(hello.data)).toMatchObject({ subscriberId: expect.stringMatching(/^sub_/) });
    const a = await create('a');
    const seen = await first.next();
    expect(seen).toMatchObject({ event: 'change' });
    const change = JSON.parse(seen.data);
    expect(change).toMatchObject({ type: 'token.created', tokenId: a.id, seq: Number(seen.id) });
    expect(change.time).toMatch(/Z$/);
    first.close();

    // While disconnected: several changes of different kinds.
    const b = await create('b');
    await t.call('PATCH', `/v1/tokens/${a.id}`, { body: { name: 'a2' } });
    await t.call('POST', `/v1/tokens/${b.id}/revoke`, { body: {} });

    const resumed = await openStream(`${t.url}/v1/events/stream`, t.rootToken, {
      'last-event-id': seen.id!,
    });
    expect((await resumed.next()).event).toBe('hello');
    const replay = [await resumed.next(), await resumed.next(), await resumed.next()].map((e) =>
      JSON.parse(e.data),
    );
    expect(replay.map((c) => [c.type, c.tokenId])).toEqual([
      ['token.created', b.id],
      ['token.updated', a.id],
      ['token.revoked', b.id],
    ]);
    expect(replay.map((c) => c.seq)).toEqual([change.seq + 1, change.seq + 2, change.seq + 3]);
    await t.call('POST', `/v1/tokens/${a.id}/revoke`, { body: {} });
    const live = JSON.parse((await resumed.next()).data);
    expect(live).toMatchObject({ type: 'token.revoked', tokenId: a.id, seq: change.seq + 4 });
    resumed.close();

    const page = await t.call('GET', `/v1/events?after=${change.seq}&limit=2`);
    expect(page.status).toBe(200);
    expect(page.body.items.map((c: { seq: number }) => c.seq)).toEqual([
      change.seq + 1,
      change.seq + 2,
    ]);
    expect(page.body.lastSeq).toBe(change.seq + 2);
  });

  it('receipts wait for SSE subscribers to acknowledge, and name those who did not', async () => {
    const stream = await openStream(`${t.url}/v1/events/stream?subscriber=slow-edge`, t.rootToken);
    const { subscriberId } = JSON.parse((await stream.next()).data);
    const token = await create('acked');
    const created = JSON.parse((await stream.next()).data);
    expect(
      (await t.call('POST', '/v1/events/ack', { body: { subscriberId, seq: created.seq } })).status,
    ).toBe(204);

    const receipt = await t.call('POST', `/v1/tokens/${token.id}/revoke`, {
      body: { wait: true, waitMs: 300 },
    });
    expect(receipt.body.receipt).toMatchObject({
      verifiers: 2,
      confirmed: 1,
      pending: ['slow-edge'],
    });
    const revoked = JSON.parse((await stream.next()).data);
    expect(
      (await t.call('POST', '/v1/events/ack', { body: { subscriberId, seq: revoked.seq } })).status,
    ).toBe(204);
    const again = await create('acked-2');
    await stream.next();
    const wait = t.call('POST', `/v1/tokens/${again.id}/revoke`, {
      body: { wait: true, waitMs: 10_000 },
    });
    const next = JSON.parse((await stream.next()).data);
    await t.call('POST', '/v1/events/ack', { body: { subscriberId, seq: next.seq } });
    expect((await wait).body.receipt).toMatchObject({ verifiers: 2, confirmed: 2 });
    stream.close();
  });

  it('validates input and requires tokens:verify', async () => {
    const reader = await t.managementToken(['tokens:read']);
    expect((await t.call('GET', '/v1/events', { token: reader })).status).toBe(403);
    expect((await t.call('GET', '/v1/events', { token: null })).status).toBe(401);
    const bad = await t.call('GET', '/v1/events?after=-1');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toContain('after');
    const unknown = await t.call('POST', '/v1/events/ack', {
      body: { subscriberId: 'sub_nope', seq: 1 },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.field).toBe('body.subscriberId');
    const badId = await t.call('GET', '/v1/events/stream', { headers: { 'last-event-id': 'x' } });
    expect(badId.status).toBe(400);
    expect(badId.body.field).toBe('headers.last-event-id');
  });

  it('a server with open streams still shuts down gracefully (streams end, no hang)', async () => {
    const own = await startTestServer({ ...target.openOptions(), join: true });
    const stream = await openStream(`${own.url}/v1/events/stream`, t.rootToken);
    expect((await stream.next()).event).toBe('hello');
    await own.close();
    await expect(stream.next()).rejects.toThrow();
  });
});
