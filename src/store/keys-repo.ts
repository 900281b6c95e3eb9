import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, SigningKeysTable } from './schema.js';

/** A signing key row as the key ring sees it. The private key stays an encrypted envelope here. */
export interface StoredSigningKey {
  kid: string;
  alg: string;
  /** Public JWK as JSON text. */
  publicJwk: string;
  /** AES-256-GCM envelope of the private JWK (see `src/oauth/key-envelope.ts`). */
  privateKey: string;
  createdAt: number;
  retiredAt: number | null;
  expiresAt: number | null;
}

function toKey(row: Selectable<SigningKeysTable>): StoredSigningKey {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: row.public_jwk,
    privateKey: row.private_key,
    createdAt: Number(row.created_at),
    retiredAt: row.retired_at === null ? null : Number(row.retired_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

/**
 * Inserts a new signing key.
 * @example await insertSigningKey(tx, { kid, alg: 'EdDSA', publicJwk, privateKey, createdAt: now, retiredAt: null, expiresAt: null });
 */
export async function insertSigningKey(db: Kysely<Database>, key: StoredSigningKey): Promise<void> {
  await db
    .insertInto('signing_keys')
    .values({
      kid: key.kid,
      alg: key.alg,
      public_jwk: key.publicJwk,
      private_key: key.privateKey,
      created_at: key.createdAt,
      retired_at: key.retiredAt,
      expires_at: key.expiresAt,
    })
    .execute();
}

/**
 * Keys still published at `now`: the active ones, and retired ones whose last token has not
 * expired yet. Newest first, so the first active key is the signing key.
 * @example const [current] = await publishedSigningKeys(db, clock.now());
 */
export async function publishedSigningKeys(
  db: Kysely<Database>,
  now: number,
): Promise<StoredSigningKey[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .execute();
  return rows.map(toKey);
}

/** Every key ever created (for audits and tests). Newest first. */
export async function allSigningKeys(db: Kysely<Database>): Promise<StoredSigningKey[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .execute();
  return rows.map(toKey);
}

/**
 * Marks every active key as retired at `now`; a retired key that never signed anything stays
 * published until `minExpiresAt`, which covers tokens signed by processes with a stale cache.
 * Returns the retired kids.
 */
export async function retireActiveSigningKeys(
  db: Kysely<Database>,
  now: number,
  minExpiresAt: number,
): Promise<string[]> {
  const active = await db
    .selectFrom('signing_keys')
    .select('kid')
    .where('retired_at', 'is', null)
    .execute();
  if (active.length === 0) return [];
  await db
    .updateTable('signing_keys')
    .set({
      retired_at: now,
      // Portable max(): SQLite's scalar max() and PostgreSQL's greatest() differ.
      expires_at: sql<number>`case when expires_at is null or expires_at < ${minExpiresAt} then ${minExpiresAt} else expires_at end`,
    })
    .where('retired_at', 'is', null)
    .execute();
  return active.map((row) => row.kid);
}

/** Raises a key's `expires_at` to at least `expiresAt` (never lowers it). */
export async function extendSigningKeyExpiry(
  db: Kysely<Database>,
  kid: string,
  expiresAt: number,
): Promise<void> {
  await db
    .updateTable('signing_keys')
    .set({
      expires_at: sql<number>`case when expires_at is null or expires_at < ${expiresAt} then ${expiresAt} else expires_at end`,
    })
    .where('kid', '=', kid)
    .execute();
}

/** Records a revoked JWT that has no token record; idempotent. */
export async function insertJwtRevocation(
  db: Kysely<Database>,
  entry: { jti: string; clientId: string | null; expiresAt: number; revokedAt: number },
): Promise<boolean> {
  const result = await db
    .insertInto('jwt_revocations')
    .values({
      jti: entry.jti,
      client_id: entry.clientId,
      expires_at: entry.expiresAt,
      revoked_at: entry.revokedAt,
    })
    .onConflict((oc) => oc.column('jti').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Whether a JWT id is on the revocation list. */
export async function isJwtRevoked(db: Kysely<Database>, jti: string): Promise<boolean> {
  const row = await db
    .selectFrom('jwt_revocations')
    .select('jti')
    .where('jti', '=', jti)
    .executeTakeFirst();
  return row !== undefined;
}

/** Drops revocation entries for tokens that have expired anyway; returns how many. */
export async function purgeExpiredJwtRevocations(
  db: Kysely<Database>,
  now: number,
): Promise<number> {
  const result = await db
    .deleteFrom('jwt_revocations')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
