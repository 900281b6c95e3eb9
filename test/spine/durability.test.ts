import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, postgresAvailable } from '../services.js';
import { killLeftovers, postJson, type ServeProcess, spawnServe } from './cli-process.js';

/**
 * A 201 means committed: create tokens concurrently, SIGKILL `gatehouse serve` while requests
 * are in flight, restart it on the same store, and every acknowledged token still verifies.
 */
const pgUp = await postgresAvailable;

async function crashWhileCreating(
  storeArgs: string[],
  tmp: string,
): Promise<{ acknowledged: string[]; failed: number }> {
  const rootFile = join(tmp, 'root-token');
  const first = await spawnServe(['--port', '0', ...storeArgs, '--root-token-file', rootFile]);
  const root = readFileSync(rootFile, 'utf8').trim();
  const acknowledged: string[] = [];
  let failed = 0;
  let killed = false;
  const KILL_AFTER = 40;
  // 16 workers keep creating until the process is gone; the kill lands with requests in flight.
  const worker = async (w: number) => {
    for (let i = 0; !killed; i++) {
      try {
        const res = await postJson(first.url, '/v1/tokens', root, {
          name: `crash ${w}/${i}`,
          scopes: ['orders:read'],
          subject: `worker-${w}`,
        });
        if (res.status === 201) acknowledged.push(res.body.token);
        else failed++;
      } catch {
        failed++;
        return;
      }
      if (acknowledged.length >= KILL_AFTER && !killed) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
  const exit = await first.exited;
  expect(exit.signal).toBe('SIGKILL');
  await verifyAfterRestart(storeArgs, root, acknowledged);
  return { acknowledged, failed };
}

async function verifyAfterRestart(
  storeArgs: string[],
  root: string,
  acknowledged: string[],
): Promise<void> {
  const second: ServeProcess = await spawnServe(['--port', '0', ...storeArgs]);
  try {
    // Restarting an existing store never mints or prints another root token.
    expect(second.stderr()).not.toContain('Root admin token');
    for (const token of acknowledged) {
      const res = await postJson(second.url, '/v1/verify', root, { token });
      expect(res.status).toBe(200);
      expect(res.body, token.slice(0, 8)).toMatchObject({ valid: true });
    }
  } finally {
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }
}

describe('durability: SIGKILL mid-way, restart, every 201 verifies', () => {
  const dirs: string[] = [];
  const drops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    killLeftovers();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    for (const drop of drops) await drop();
  });

  it('on SQLite', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-crash-'));
    dirs.push(tmp);
    const { acknowledged, failed } = await crashWhileCreating(['--data', join(tmp, 'data')], tmp);
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);
    // The kill landed with requests in flight (they got no answer).
    expect(failed).toBeGreaterThan(0);
  }, 60_000);

  it.skipIf(!pgUp)(
    'on PostgreSQL',
    async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-crash-'));
      dirs.push(tmp);
      const database = await createPostgresDatabase();
      drops.push(database.drop);
      const { acknowledged, failed } = await crashWhileCreating(
        ['--database-url', database.url],
        tmp,
      );
      expect(acknowledged.length).toBeGreaterThanOrEqual(40);
      // The kill landed with requests in flight (they got no answer).
      expect(failed).toBeGreaterThan(0);
    },
    60_000,
  );
});
