import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/server-harness.js';
import { runCli } from './testing/cli-harness.js';

const SLOW = 120_000;
/** One line on stderr, no stack trace. */
const ONE_LINE = /^[^\n]+\n(\(.*\)\n)*$/;

function noStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
}

/** A port that was free a moment ago: nothing listens there, so connecting is refused. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('gatehouse exit codes and error messages', () => {
  let t: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await startTestServer();
    env = { GATEHOUSE_URL: t.url, GATEHOUSE_TOKEN: t.rootToken };
  });
  afterAll(() => t?.close());

  it(
    'bad flags, missing arguments and unknown commands exit 2 with a message',
    async () => {
      const cases = [
        ['token', 'create', '--name', 'x', '--ttl', '3 weeks'],
        ['token', 'create', '--name', 'x', '--rate-limit', 'lots'],
        ['token', 'create', '--name', 'x', '--max-uses', '-1'],
        ['token', 'create', '--name', 'x', '--metadata', 'novalue'],
        ['token', 'create', '--name', 'x', '--kind', 'paseto'],
        ['token', 'create', '--scope', 'a'],
        ['token', 'list', '--status', 'sleeping'],
        ['token', 'list', '--bogus'],
        ['token', 'revoke'],
        ['token', 'rotate', 'tok_1', '--overlap', 'soon'],
        ['token', 'update', 'tok_1'],
        ['tokens', 'list'],
      ];
      for (const args of cases) {
        const result = await runCli(args, env);
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr, args.join(' ')).toMatch(/error|gatehouse:/);
        expect(result.stdout).toBe('');
        noStack(result.stderr);
      }
      const ttl = await runCli(['token', 'create', '--name', 'x', '--ttl', '3x'], env);
      expect(ttl.stderr).toMatch(/--ttl <duration>.*'3x' is invalid/);
    },
    SLOW,
  );

  it(
    'input the API rejects exits 2 with its detail and code; unknown ids too',
    async () => {
      const missing = await runCli(['token', 'show', 'tok_doesnotexist'], env);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/^gatehouse: .*tok_doesnotexist.* \(not_found, HTTP 404\)\n$/);
      const badScope = await runCli(
        ['token', 'create', '--name', 'x', '--scope', 'bad scope!'],
        env,
      );
      expect(badScope.code).toBe(2);
      expect(badScope.stderr).toMatch(/^gatehouse: .*scopes.* \(validation_failed, HTTP 400\)\n$/);
      noStack(badScope.stderr);
    },
    SLOW,
  );

  it(
    'a wrong, missing or under-scoped token exits 4',
    async () => {
      const wrong = await runCli(['token', 'list'], { ...env, GATEHOUSE_TOKEN: 'gthm_wrong' });
      expect(wrong.code).toBe(4);
      expect(wrong.stderr).toMatch(/^gatehouse: .* \(unauthorized, HTTP 401\)\n$/);
      const none = await runCli(['token', 'list'], { GATEHOUSE_URL: t.url });
      expect(none.code).toBe(4);
      expect(none.stderr).toMatch(/GATEHOUSE_TOKEN is not set/);
      const reader = await t.managementToken(['tokens:read']);
      const forbidden = await runCli(['token', 'create', '--name', 'x'], {
        ...env,
        GATEHOUSE_TOKEN: reader,
      });
      expect(forbidden.code).toBe(4);
      expect(forbidden.stderr).toMatch(/\(forbidden, HTTP 403\)\n$/);
      expect(forbidden.stderr).not.toContain(reader);
      expect(ONE_LINE.test(forbidden.stderr)).toBe(true);
    },
    SLOW,
  );

  it(
    'a server that is down exits 3 and names the URL',
    async () => {
      const url = `http://127.0.0.1:${await deadPort()}`;
      const down = await runCli(['token', 'list'], {
        GATEHOUSE_URL: url,
        GATEHOUSE_TOKEN: 'gthm_x',
      });
      expect(down.code).toBe(3);
      expect(down.stderr).toMatch(
        new RegExp(`^gatehouse: cannot reach Gatehouse at ${url}.*ECONNREFUSED`),
      );
      noStack(down.stderr);
      const badUrl = await runCli(['token', 'list'], {
        GATEHOUSE_URL: 'not a url',
        GATEHOUSE_TOKEN: 'x',
      });
      expect(badUrl.code).toBe(2);
    },
    SLOW,
  );

  it(
    '--help and --version exit 0',
    async () => {
      const help = await runCli(['token', 'create', '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/--scope <scope>/);
      expect((await runCli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    },
    SLOW,
  );
});
