import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateToken,
  hashToken,
  newId,
  newTokenRecord,
  secureRandom,
  systemClock,
  type TokenRecord,
} from '@gatehouse/core';
import SqliteDatabase from 'better-sqlite3';
import { noopAuditSink } from '../src/audit/audit-sink.js';
import { bootstrapStore } from '../src/server/bootstrap.js';
import { listApis } from '../src/store/apis-repo.js';
import type { TokensTable } from '../src/store/schema.js';
import { openStore, type Store } from '../src/store/store.js';
import { toTokenRow } from '../src/store/tokens-repo.js';

/** A bootstrapped SQLite store in a temp dir, with `count` tokens of the `default` API. */
export interface TokenFixture {
  store: Store;
  dir: string;
  /** Real secrets of the first `secrets` tokens (the rest have random hashes). */
  secrets: string[];
  apiId: string;
}

/**
 * Bulk-inserts `count` tokens into the store's SQLite file (one prepared statement, 50 000 per
 * transaction): only `secrets` of them get real secrets, the rest random hashes, so 1 M rows take
 * seconds instead of minutes.
 * @example const fx = await tokenFixture({ count: 10_000, secrets: 1000 });
 */
export async function tokenFixture(options: {
  count: number;
  secrets: number;
  dir?: string;
}): Promise<TokenFixture> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const store = await openStore({ dataDir: dir });
  await bootstrapStore({ store, clock: systemClock, random: secureRandom, audit: noopAuditSink });
  const api = (await listApis(store.db)).find((a) => a.name === 'default')!;
  const secrets: string[] = [];
  const now = Date.now();
  const make = (i: number): TokenRecord => {
    let hash: string;
    if (i < options.secrets) {
      const secret = generateToken({ prefix: api.prefix, random: secureRandom });
      secrets.push(secret);
      hash = hashToken(secret);
    } else hash = randomBytes(32).toString('hex');
    return newTokenRecord({
      id: newId('token'),
      apiId: api.id,
      hash,
      name: `bench ${i}`,
      subject: `user_${i % 1000}`,
      scopes: ['orders:read'],
      createdAt: now,
    });
  };
  // Straight into the store's SQLite file with one prepared statement: Kysely's per-row query
  // building would dominate a million-row setup.
  const raw = new SqliteDatabase(store.location);
  raw.pragma('synchronous = OFF');
  // A page cache that holds the whole hash index: random-order index inserts stay in memory.
  raw.pragma('cache_size = -524288');
  const columns = Object.keys(toTokenRow(make(options.secrets))) as Array<keyof TokensTable>;
  const insert = raw.prepare(
    `insert into tokens (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  const insertMany = raw.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) insert.run(toTokenRow(make(i)));
  });
  for (let start = 0; start < options.count; start += 50_000)
    insertMany(start, Math.min(options.count, start + 50_000));
  raw.close();
  return { store, dir, secrets, apiId: api.id };
}
