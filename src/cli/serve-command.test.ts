import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, postgresAvailable } from '../../test/services.js';
import { CLI_PATH, REPO_ROOT, runCli, startCli } from './testing/cli-harness.js';

const SLOW = 180_000;
const LISTENING = /Gatehouse listening on (https?:\/\/\S+) \(store: (\w+) ([^)]*)\)/;
const ROOT_TOKEN = /^\s+(gthm?_[0-9A-Za-z]+)$/m;
const pgUp = await postgresAvailable;

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('gatehouse serve as a child process', () => {
  const stores = [
    {
      name: 'sqlite',
      options: async () => ({ args: ['--data', tempDir()], drop: async () => {} }),
    },
    ...(pgUp
      ? [
          {
            name: 'postgres',
            options: async () => {
              const database = await createPostgresDatabase();
              return { args: ['--database-url', database.url], drop: database.drop };
            },
          },
        ]
      : []),
  ];
  for (const store of stores) {
    it(
      `[${store.name}] prints the URL and the root token once, never again on restart; SIGTERM and SIGINT exit 0`,
      async () => {
        const { args, drop } = await store.options();
        const tokenFile = join(tempDir(), 'root-token');
        try {
          const first = startCli(['serve', '--port', '0', ...args, '--root-token-file', tokenFile]);
          const [, url] = await first.waitFor(LISTENING);
          const [, rootToken] = await first.waitFor(ROOT_TOKEN, 'stderr');
          expect(first.stderr).toMatch(/shown once/);
          expect(first.stdout).not.toContain(rootToken);
          expect(readFileSync(tokenFile, 'utf8').trim()).toBe(rootToken);
          expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
          const env = { GATEHOUSE_URL: url, GATEHOUSE_TOKEN: rootToken };
          const created = await runCli(
            ['token', 'create', '--name', 'survivor', '--ttl', '1d', '--json'],
            env,
          );
          expect(created.code, created.stderr).toBe(0);
          expect(await first.stop('SIGTERM')).toBe(0);

          const second = startCli([
            'serve',
            '--port',
            '0',
            ...args,
            '--root-token-file',
            tokenFile,
          ]);
          const [, url2] = await second.waitFor(LISTENING);
          const listed = await runCli(['token', 'list', '--json'], { ...env, GATEHOUSE_URL: url2 });
          expect(listed.code, listed.stderr).toBe(0);
          expect(JSON.parse(listed.stdout).items.map((t: { name: string }) => t.name)).toContain(
            'survivor',
          );
          expect(await second.stop('SIGINT')).toBe(0);
          for (const output of [second.stdout, second.stderr]) {
            expect(output).not.toContain(rootToken);
            expect(output).not.toMatch(/Root admin token/);
          }
          expect(readFileSync(tokenFile, 'utf8').trim()).toBe(rootToken);
        } finally {
          await drop();
        }
      },
      SLOW,
    );
  }

  it(
    '--config: a flag beats the environment, which beats the file',
    async () => {
      const [fromFile, fromEnv, fromFlag] = [tempDir(), tempDir(), tempDir()];
      const config = join(tempDir(), 'gatehouse.yaml');
      writeFileSync(config, `port: 0\nhost: 127.0.0.1\ndata: ${fromFile}\n`);
      const location = async (args: string[], env: Record<string, string> = {}) => {
        const serve = startCli(['serve', '--config', config, ...args], env);
        const [, , dialect, where] = await serve.waitFor(LISTENING);
        expect(dialect).toBe('sqlite');
        expect(await serve.stop(), serve.stdout + serve.stderr).toBe(0);
        return where ?? '';
      };
      expect(await location([])).toContain(fromFile);
      expect(await location([], { GATEHOUSE_DATA: fromEnv })).toContain(fromEnv);
      expect(await location(['--data', fromFlag], { GATEHOUSE_DATA: fromEnv })).toContain(fromFlag);

      writeFileSync(config, 'port: 0\nlisten: everywhere\n');
      const bad = await runCli(['serve', '--config', config]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^gatehouse: config file .* unknown setting "listen"/);
      const badPort = await runCli(['serve', '--port', 'eighty', '--data', tempDir()]);
      expect(badPort.code).toBe(2);
      expect(badPort.stderr).toMatch(/--port must be an integer/);
    },
    SLOW,
  );

  it(
    'npm start runs the same command: defaults to 127.0.0.1 and ./.gatehouse',
    async () => {
      const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
      const start: string = pkg.scripts.start;
      const command = start
        .slice(start.lastIndexOf('&&') + 2)
        .trim()
        .split(/\s+/);
      expect(command[0]).toBe('node');
      expect(resolve(REPO_ROOT, command.at(-2) ?? '')).toBe(CLI_PATH);
      expect(command.at(-1)).toBe('serve');
      // Same node flags and entry point as `npm start`, from a fresh working directory; port 0
      // through the environment because 8080 may be taken on a shared machine.
      const cwd = tempDir();
      const serve = startCli(
        [],
        { GATEHOUSE_PORT: '0' },
        { cwd, command: [...command.slice(1, -2), CLI_PATH, 'serve'] },
      );
      const [, url, , where] = await serve.waitFor(LISTENING);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(where).toMatch(/\.gatehouse/);
      expect(existsSync(join(cwd, '.gatehouse'))).toBe(true);
      await serve.waitFor(ROOT_TOKEN, 'stderr');
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await serve.stop()).toBe(0);
    },
    SLOW,
  );
});
