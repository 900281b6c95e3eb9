import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/server-harness.js';
import { startTestUpstream, type TestUpstream } from '../proxy/testing/test-upstream.js';
import { runCli, startCli } from './testing/cli-harness.js';

const SLOW = 180_000;
const READY = /Gatehouse proxy listening on (http:\/\/\S+)/;

describe('gatehouse proxy', () => {
  let dir: string;
  let server: TestServer;
  let upstream: TestUpstream;
  let policy: string;
  let secret: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-proxy-'));
    server = await startTestServer({ dataDir: join(dir, 'data') });
    upstream = await startTestUpstream();
    policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'routes:\n  "GET /health": public\n  "GET /orders/**": [orders:read]\n');
    const created = await runCli(
      ['token', 'create', '--name', 'p', '--scope', 'orders:read', '--ttl', '1h'],
      {
        GATEHOUSE_URL: server.url,
        GATEHOUSE_TOKEN: server.rootToken,
      },
    );
    secret = created.stdout.trim();
  }, SLOW);
  afterAll(async () => {
    await upstream?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function exercise(url: string): Promise<void> {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/orders/1`)).status).toBe(401);
    const allowed = await fetch(`${url}/orders/1`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(allowed.status).toBe(200);
    await allowed.body?.cancel();
    expect(upstream.seen.at(-1)?.headers['x-gatehouse-scopes']).toBe('orders:read');
    expect(upstream.seen.at(-1)?.headers.authorization).toBeUndefined();
  }

  it(
    'over the shared data dir: prints its URL, enforces the policy, exits 0 on SIGTERM',
    async () => {
      const proxy = startCli([
        'proxy',
        '--upstream',
        upstream.url,
        '--policy',
        policy,
        '--port',
        '0',
        '--data',
        join(dir, 'data'),
      ]);
      const [, url] = await proxy.waitFor(READY);
      await exercise(url ?? '');
      expect(await proxy.stop('SIGTERM')).toBe(0);
    },
    SLOW,
  );

  it(
    '--remote with GATEHOUSE_TOKEN verifies through the server; SIGINT exits 0',
    async () => {
      const proxy = startCli(
        [
          'proxy',
          '--upstream',
          upstream.url,
          '--policy',
          policy,
          '--port',
          '0',
          '--remote',
          server.url,
        ],
        { GATEHOUSE_TOKEN: server.rootToken },
      );
      const [, url] = await proxy.waitFor(READY);
      await exercise(url ?? '');
      expect(proxy.stdout + proxy.stderr).not.toContain(server.rootToken);
      expect(await proxy.stop('SIGINT')).toBe(0);
    },
    SLOW,
  );

  it(
    'refuses bad options and bad policy files with exit 2 and one clear line',
    async () => {
      const badPolicy = join(dir, 'bad.yaml');
      writeFileSync(badPolicy, 'routes:\n  "GIT /x": public\n');
      const bad = await runCli([
        'proxy',
        '--upstream',
        upstream.url,
        '--policy',
        badPolicy,
        '--port',
        '0',
        '--data',
        join(dir, 'data'),
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^gatehouse: .*bad\.yaml:2:3: /);
      const open = await runCli([
        'proxy',
        '--upstream',
        upstream.url,
        '--policy',
        policy,
        '--host',
        '0.0.0.0',
        '--port',
        '0',
        '--data',
        join(dir, 'data'),
      ]);
      expect(open.code).toBe(2);
      expect(open.stderr).toMatch(/refusing to serve plain HTTP/);
      const noToken = await runCli([
        'proxy',
        '--upstream',
        upstream.url,
        '--policy',
        policy,
        '--remote',
        server.url,
      ]);
      expect(noToken.code).toBe(4);
      const missing = await runCli(['proxy', '--policy', policy]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/--upstream/);
    },
    SLOW,
  );
});
