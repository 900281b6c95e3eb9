import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import Fastify from 'fastify';
import type { HttpTarget } from './verify-http-targets.js';

/** The peer: better-auth 1.7.5 + @better-auth/api-key 1.7.5 on SQLite, rate limiting off. */
export async function betterAuthTarget(): Promise<HttpTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-ba-'));
  const db = new SqliteDatabase(join(dir, 'better-auth.db'));
  db.pragma('journal_mode = WAL');
  const { betterAuth } = await import('better-auth');
  const { getMigrations } = await import('better-auth/db/migration');
  const { apiKey } = await import('@better-auth/api-key');
  const options = {
    database: db,
    secret: 'bench-secret-bench-secret-bench-secret-0123',
    baseURL: 'http://127.0.0.1',
    emailAndPassword: { enabled: true },
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    plugins: [apiKey({ rateLimit: { enabled: false } })],
  };
  const auth = betterAuth(options);
  await (await getMigrations(options)).runMigrations();
  const signUp = await auth.api.signUpEmail({
    body: { email: 'bench@example.com', password: 'bench-password-123', name: 'bench' },
  });
  const created = await auth.api.createApiKey({ body: { userId: signUp.user.id } });
  const app = Fastify({ logger: false });
  app.post<{ Body: { token: string } }>('/v1/verify', async (request) => {
    const result = await auth.api.verifyApiKey({ body: { key: request.body.token } });
    return { valid: result.valid };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    name: 'better-auth api-key (SQLite)',
    url: `http://127.0.0.1:${port}/v1/verify`,
    body: JSON.stringify({ token: created.key }),
    headers: {},
    close: async () => {
      await app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
