import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/server/logger.js';
import { startTestServer, type TestServer } from '../server-harness.js';
import { forEachStore, type StoreTarget } from '../store-harness.js';

/**
 * Only a hash is stored and nothing is logged: after creating, rotating, verifying and misusing
 * tokens, neither the database (SQLite files including the WAL; every PostgreSQL table) nor the
 * server's debug-level log contains any secret, nor its random part.
 */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

async function storeDump(target: StoreTarget): Promise<string> {
  const { dataDir, databaseUrl } = target.openOptions();
  if (dataDir) {
    // Raw bytes of every file: the main database, the WAL and the shared-memory index.
    const files = readdirSync(dataDir);
    expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
    return files.map((f) => readFileSync(join(dataDir, f)).toString('latin1')).join('\n');
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public'",
    );
    expect(tables.rows.map((r) => r.table_name)).toContain('tokens');
    let dump = '';
    for (const { table_name } of tables.rows) {
      const rows = await client.query(`select * from "${table_name}"`);
      dump += `${table_name}\n${JSON.stringify(rows.rows)}\n`;
    }
    return dump;
  } finally {
    await client.end();
  }
}

forEachStore('secrets never reach the store or the logs', (target) => {
  let t: TestServer;
  const logs = new Capture();
  const secrets: string[] = [];
  const bodies: string[] = [];
  beforeAll(async () => {
    t = await startTestServer({
      store: target.store(),
      logger: createLogger({ level: 'debug', destination: logs }),
    });
    secrets.push(t.rootToken);
  });
  afterAll(() => t?.close());

  async function call(...args: Parameters<TestServer['call']>) {
    const res = await t.call(...args);
    bodies.push(JSON.stringify(res.body));
    return res;
  }

  it('creates, rotates, verifies and misuses tokens', async () => {
    for (let i = 0; i < 5; i++) {
      const created = await t.call('POST', '/v1/tokens', {
        body: { name: `t${i}`, scopes: ['orders:read'], subject: 'alice', metadata: { i } },
      });
      expect(created.status).toBe(201);
      secrets.push(created.body.token);
      const rotated = await t.call('POST', `/v1/tokens/${created.body.id}/rotate`, {
        body: { overlapSeconds: i * 10 },
      });
      expect(rotated.status).toBe(201);
      secrets.push(rotated.body.token);
    }
    const manager = await t.managementToken(['tokens:read', 'tokens:write', 'tokens:verify']);
    secrets.push(manager);
    for (const secret of secrets) {
      await call('POST', '/v1/verify', { body: { token: secret, scopes: ['orders:read'] } });
      await call('POST', '/v1/verify', {
        body: { token: secret, scopes: ['nope'] },
        token: manager,
      });
      await call('POST', '/v1/verify', { body: { token: secret, ip: '10.0.0.1', extra: secret } });
      await call('POST', '/v1/verify', { body: `{"token":"${secret}"` });
      await call('POST', '/v1/tokens', { body: { name: 'x', scopes: ['a'], token: secret } });
      await call('GET', '/v1/tokens', { token: secret });
      await call('GET', `/v1/tokens?subject=${secret}`);
      await call('GET', `/v1/tokens?api=${secret}`);
      await call('POST', '/v1/tokens', { body: { api: secret, name: 'x', scopes: [] } });
      await call('PATCH', `/v1/tokens/${secret}`, { body: { name: 'x' } });
      await call('POST', `/v1/tokens/${secret}/rotate`, { body: {} });
      await call('GET', `/v1/tokens/${secret}`);
      await call('POST', `/v1/subjects/${secret}/revoke`, { body: {} });
    }
    await call('GET', '/v1/tokens?limit=100', { token: manager });
    await call('POST', '/v1/subjects/alice/revoke', { body: { reason: 'test' } });
    for (const secret of secrets.slice(1, 4)) {
      await call('POST', '/v1/verify', { body: { token: secret }, token: manager });
    }
    expect(secrets.length).toBe(12);
  });

  it('finds no secret in the store, the logs or any response but create/rotate', async () => {
    const dump = await storeDump(target);
    expect(dump.length).toBeGreaterThan(1000);
    // The log really was captured at debug level (the server did log something).
    expect(logs.text.length).toBeGreaterThan(0);
    const responses = bodies.join('\n');
    for (const secret of secrets) {
      const random = secret.slice(secret.indexOf('_') + 1);
      for (const [where, text] of [
        ['store', dump],
        ['logs', logs.text],
        ['responses', responses],
      ] as const) {
        expect(text.includes(random), `${where} contains a secret`).toBe(false);
      }
    }
  });
});
