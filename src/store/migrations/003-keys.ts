import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * JWT signing keys (private halves encrypted at rest) and the revocation list of JWTs that have no
 * token record of their own (access tokens minted by the client-credentials grant).
 */
export const migration003Keys: Migration = {
  name: '003-keys',
  async up(db: Kysely<unknown>, dialect): Promise<void> {
    const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
    await db.schema
      .createTable('signing_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('alg', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('private_key', 'text', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('retired_at', bigint)
      .addColumn('expires_at', bigint)
      .execute();
    await db.schema
      .createIndex('signing_keys_created')
      .on('signing_keys')
      .columns(['created_at', 'kid'])
      .execute();
    await db.schema
      .createTable('jwt_revocations')
      .addColumn('jti', 'text', (c) => c.primaryKey())
      .addColumn('client_id', 'text')
      .addColumn('expires_at', bigint, (c) => c.notNull())
      .addColumn('revoked_at', bigint, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('jwt_revocations_expires')
      .on('jwt_revocations')
      .column('expires_at')
      .execute();
  },
};
