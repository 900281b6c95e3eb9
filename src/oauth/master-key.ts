import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the master key came from. `created` means a key file was just written: warn the operator. */
export type MasterKeySource = 'env' | 'file' | 'created';

export interface MasterKey {
  /** 32 bytes for AES-256-GCM. Never logged. */
  key: Buffer;
  source: MasterKeySource;
  /** The key file, when the key came from (or was written to) one. */
  path?: string;
}

/** Raised when the configured master key cannot be used; a fault, not a denial. */
export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

/**
 * Parses a 32-byte key written as 64 hex characters or as base64/base64url.
 * @example parseMasterKey(randomBytes(32).toString('base64')).length // 32
 */
export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)
      ? Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
      : Buffer.alloc(0);
  if (bytes.length !== 32) {
    throw new MasterKeyError(
      'the master key must be 32 bytes written as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)',
    );
  }
  return bytes;
}

/**
 * Loads the master key that encrypts signing keys at rest: `GATEHOUSE_MASTER_KEY` when set,
 * else `<dataDir>/master.key`, created with mode 0600 on first start. Several processes sharing
 * one PostgreSQL store must share one master key: set `GATEHOUSE_MASTER_KEY` on all of them.
 * @example
 * const master = loadMasterKey({ env: process.env, dataDir: '.gatehouse' });
 * if (master.source === 'created') logger.warn({ path: master.path }, 'created a master key file');
 */
export function loadMasterKey(options: {
  env?: Record<string, string | undefined>;
  dataDir: string;
}): MasterKey {
  const fromEnv = options.env?.GATEHOUSE_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv !== '')
    return { key: parseMasterKey(fromEnv), source: 'env' };
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const path = join(options.dataDir, 'master.key');
  const created = randomBytes(32);
  // Written to a private temp file, then linked into place: link() fails if the key exists, so
  // two processes starting at once never both win, and no reader ever sees a half-written file.
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, `${created.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
    return { key: created, source: 'created', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
  return { key: parseMasterKey(readFileSync(path, 'utf8')), source: 'file', path };
}
