import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killLeftovers, postJson, spawnServe } from './cli-process.js';

/**
 * SIGTERM and SIGINT: `gatehouse serve` stops accepting, lets the request in flight finish
 * (here a create whose body is still uploading when the signal lands), closes the store and
 * exits 0. The next start on the same data dir prints no root token.
 */
function startSlowCreate(
  url: string,
  token: string,
): {
  sentHalf: Promise<void>;
  finish: () => void;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  response: Promise<{ status: number; connection: string | undefined; body: any }>;
} {
  const body = JSON.stringify({ name: 'in flight', scopes: ['orders:read'], subject: 'slow' });
  const half = Math.floor(body.length / 2);
  const req = request(`${url}/v1/tokens`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    },
  });
  const response = new Promise<{
    status: number;
    connection: string | undefined;
    body: unknown;
  }>((resolve, reject) => {
    req.once('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          connection: res.headers.connection,
          body: JSON.parse(text),
        }),
      );
    });
    req.once('error', reject);
  });
  req.flushHeaders();
  const sentHalf = new Promise<void>((resolve) => req.write(body.slice(0, half), () => resolve()));
  return { sentHalf, finish: () => req.end(body.slice(half)), response };
}

describe('graceful shutdown of gatehouse serve', () => {
  const dirs: string[] = [];
  afterAll(() => {
    killLeftovers();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: finishes the request in flight, exits 0, no second root token`, async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-stop-'));
      dirs.push(tmp);
      const data = join(tmp, 'data');
      const rootFile = join(tmp, 'root-token');
      const first = await spawnServe([
        '--port',
        '0',
        '--data',
        data,
        '--root-token-file',
        rootFile,
      ]);
      const root = readFileSync(rootFile, 'utf8').trim();
      expect(root).toMatch(/^gthm_[0-9A-Za-z]{38}$/);
      expect(statSync(rootFile).mode & 0o777).toBe(0o600);
      expect(first.stderr()).toContain(root);
      // The root token goes to stderr only, never to stdout (which is often collected as logs).
      expect(first.stdout()).not.toContain(root);

      const slow = startSlowCreate(first.url, root);
      await slow.sentHalf;
      // A full round trip on another connection: the server has read the first request's headers.
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
      first.child.kill(signal);
      // Wait until it has stopped accepting: new connections are refused (or answered 503).
      for (;;) {
        const refused = await fetch(`${first.url}/healthz`).then(
          (res) => res.status === 503,
          () => true,
        );
        if (refused) break;
      }
      slow.finish();
      const created = await slow.response;
      expect(created.status).toBe(201);
      expect(created.body.token).toMatch(/^gth_/);
      // A keep-alive client is told to let go, so it cannot hold the shutdown open.
      expect(created.connection).toBe('close');
      const exit = await first.exited;
      expect(exit).toEqual({ code: 0, signal: null });

      const second = await spawnServe([
        '--port',
        '0',
        '--data',
        data,
        '--root-token-file',
        rootFile,
      ]);
      try {
        expect(second.stderr()).not.toContain('Root admin token');
        expect(second.stderr()).not.toContain(root);
        expect(readFileSync(rootFile, 'utf8').trim()).toBe(root);
        const verified = await postJson(second.url, '/v1/verify', root, {
          token: created.body.token,
        });
        expect(verified.body).toMatchObject({ valid: true, tokenId: created.body.id });
      } finally {
        second.child.kill(signal);
        expect(await second.exited).toEqual({ code: 0, signal: null });
      }
    }, 60_000);
  }
});
