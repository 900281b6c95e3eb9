import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { openStore, type Store } from '../src/store/store.js';
import { createPostgresDatabase, postgresAvailable } from './services.js';

const pgUp = await postgresAvailable;

export interface StoreTarget {
  dialect: 'sqlite' | 'postgres';
  /** The open store (valid inside tests). */
  store(): Store;
  /** Options that open another connection to the same store (e.g. for a second server process). */
  openOptions(): { dataDir?: string; databaseUrl?: string };
}

/**
 * Runs the same suite against SQLite (a temp data dir) and PostgreSQL (a fresh database).
 * The conformance pattern: one set of tests, every implementation.
 * @example forEachStore('tokens repo', (target) => { it('inserts', async () => { target.store() }) })
 */
export function forEachStore(title: string, suite: (target: StoreTarget) => void): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    describe.skipIf(dialect === 'postgres' && !pgUp)(`${title} [${dialect}]`, () => {
      let store: Store | undefined;
      let options: { dataDir?: string; databaseUrl?: string } = {};
      let cleanup: () => Promise<void> = async () => {};
      beforeAll(async () => {
        if (dialect === 'sqlite') {
          const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
          options = { dataDir: dir };
          cleanup = async () => rmSync(dir, { recursive: true, force: true });
        } else {
          const database = await createPostgresDatabase();
          options = { databaseUrl: database.url };
          cleanup = database.drop;
        }
        store = await openStore(options);
      });
      afterAll(async () => {
        await store?.close();
        await cleanup();
      });
      suite({
        dialect,
        store: () => {
          if (!store) throw new Error('store not open yet');
          return store;
        },
        openOptions: () => options,
      });
    });
  }
}
