import { type Clock, newId, type RandomSource, secureRandom } from '@gatehouse/core';
import { type CryptoKey, importJWK, type JWK } from 'jose';
import { type Kysely, sql } from 'kysely';
import { appendChange } from '../store/changes-repo.js';
import {
  extendSigningKeyExpiry,
  insertSigningKey,
  publishedSigningKeys,
  retireActiveSigningKeys,
  type StoredSigningKey,
} from '../store/keys-repo.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { openPrivateKey, sealPrivateKey } from './key-envelope.js';
import {
  generateSigningKey,
  isSigningAlgorithm,
  type SigningAlgorithm,
} from './signing-algorithms.js';

/** A key ready to sign with. */
export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
}

/** A published key ready to verify with. */
export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  publicKey: CryptoKey;
}

export interface KeyRingOptions {
  store: Store;
  masterKey: Buffer;
  clock: Clock;
  random?: RandomSource;
  /** Algorithm of keys this ring creates. Default EdDSA (Ed25519). */
  algorithm?: SigningAlgorithm;
  /**
   * How long the in-memory view of the key table may be reused before re-reading it. Processes
   * sharing a store pick up a rotation within this bound even without the change feed.
   */
  cacheTtlMs?: number;
}

/** Per-process granularity of `expires_at` writes: at most one write per key per bucket. */
const EXPIRY_BUCKET_MS = 60_000;
/** An unknown kid triggers at most one re-read per this interval (no amplification by junk kids). */
const MISS_REREAD_MS = 1_000;
/** Advisory lock id serializing key creation/rotation across PostgreSQL nodes. */
const KEY_LOCK = 72433;

interface View {
  loadedAt: number;
  keys: StoredSigningKey[];
}

/**
 * The signing keys shared by every process on one store. The store is the source of truth: the
 * newest active key signs; retired keys stay published until the last token they signed expires.
 * @example
 * const ring = new KeyRing({ store, masterKey: master.key, clock: systemClock });
 * const { kid, privateKey } = await ring.signingKey();
 */
export class KeyRing {
  private view: View | undefined;
  private lastMissReread = Number.NEGATIVE_INFINITY;
  private readonly privateKeys = new Map<string, Promise<CryptoKey>>();
  private readonly publicKeys = new Map<string, Promise<CryptoKey>>();
  private readonly knownExpiry = new Map<string, number>();
  private readonly cacheTtlMs: number;

  constructor(private readonly options: KeyRingOptions) {
    this.cacheTtlMs = options.cacheTtlMs ?? 5_000;
  }

  /** Forget the cached view; the next call re-reads the store (call on a `key.rotated` change). */
  invalidate(): void {
    this.view = undefined;
  }

  /**
   * The key to sign new tokens with, creating the first key if the store has none. Pass `db` when
   * called inside the caller's write transaction (SQLite has a single connection).
   */
  async signingKey(options: { db?: Kysely<Database> } = {}): Promise<SigningKey> {
    let current = (await this.load(options.db)).keys.find((key) => key.retiredAt === null);
    if (!current) {
      await this.createFirstKey(options.db);
      current = (await this.load(options.db, true)).keys.find((key) => key.retiredAt === null);
      if (!current) throw new Error('no active signing key after creating one');
    }
    return {
      kid: current.kid,
      alg: current.alg as SigningAlgorithm,
      privateKey: await this.privateKey(current),
    };
  }

  /** Makes sure a signing key exists (call at start-up so the first token is not slower). */
  async ensureSigningKey(): Promise<string> {
    return (await this.signingKey()).kid;
  }

  /** The published key with this kid, or undefined (after one re-read, for a sibling's rotation). */
  async verificationKey(kid: string): Promise<VerificationKey | undefined> {
    const now = this.options.clock.now();
    let found = this.published(await this.load(), now).find((key) => key.kid === kid);
    if (!found && now - this.lastMissReread >= MISS_REREAD_MS) {
      this.lastMissReread = now;
      found = this.published(await this.load(undefined, true), now).find((key) => key.kid === kid);
    }
    if (!found || !isSigningAlgorithm(found.alg)) return undefined;
    let publicKey = this.publicKeys.get(found.kid);
    if (!publicKey) {
      publicKey = importJWK(JSON.parse(found.publicJwk) as JWK, found.alg) as Promise<CryptoKey>;
      this.publicKeys.set(found.kid, publicKey);
    }
    return { kid: found.kid, alg: found.alg, publicKey: await publicKey };
  }

  /** The JWKS document: public members only, newest key first. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const now = this.options.clock.now();
    const keys = this.published(await this.load(), now);
    return { keys: keys.map((key) => JSON.parse(key.publicJwk) as JWK) };
  }

  /**
   * Records that a token signed with `kid` lives until `expiresAt` (epoch ms), so the key stays
   * in the JWKS that long. Writes are rounded up to the minute: one write per key per minute.
   */
  async noteTokenExpiry(
    kid: string,
    expiresAt: number,
    options: { db?: Kysely<Database> } = {},
  ): Promise<void> {
    const bucket = Math.ceil(expiresAt / EXPIRY_BUCKET_MS) * EXPIRY_BUCKET_MS;
    const stored = this.view?.keys.find((key) => key.kid === kid)?.expiresAt ?? 0;
    if (Math.max(stored, this.knownExpiry.get(kid) ?? 0) >= bucket) return;
    if (options.db) await extendSigningKeyExpiry(options.db, kid, bucket);
    else await this.options.store.write((tx) => extendSigningKeyExpiry(tx, kid, bucket));
    this.knownExpiry.set(kid, bucket);
  }

  /**
   * Publishes a new key and signs with it from now on; old keys stay published until their last
   * token expires. Appends `key.rotated` to the change feed in the same transaction.
   */
  async rotate(
    options: {
      algorithm?: SigningAlgorithm;
      /** Runs inside the rotation's transaction (e.g. to write the audit event atomically). */
      inTransaction?: (
        tx: Kysely<Database>,
        rotated: { kid: string; alg: SigningAlgorithm; retired: string[] },
      ) => Promise<void>;
    } = {},
  ): Promise<{ kid: string; alg: SigningAlgorithm; retired: string[] }> {
    const alg = options.algorithm ?? this.options.algorithm ?? 'EdDSA';
    const fresh = await this.generate(alg);
    const { store, clock } = this.options;
    const retired = await store.write(async (tx) => {
      await this.lock(tx);
      const now = clock.now();
      const previous = await retireActiveSigningKeys(tx, now, now + this.cacheTtlMs);
      await insertSigningKey(tx, { ...fresh, createdAt: now });
      await appendChange(tx, store.dialect, {
        type: 'key.rotated',
        tokenId: null,
        tokenHash: null,
        apiId: null,
        payload: { kid: fresh.kid, alg, retired: previous },
        time: now,
      });
      await options.inTransaction?.(tx, { kid: fresh.kid, alg, retired: previous });
      return previous;
    });
    this.invalidate();
    return { kid: fresh.kid, alg, retired };
  }

  private published(view: View, now: number): StoredSigningKey[] {
    return view.keys.filter(
      (key) => key.retiredAt === null || (key.expiresAt !== null && key.expiresAt > now),
    );
  }

  private async load(db?: Kysely<Database>, force = false): Promise<View> {
    const now = this.options.clock.now();
    const view = this.view;
    if (!force && view && now - view.loadedAt < this.cacheTtlMs && now >= view.loadedAt)
      return view;
    // Keep retired keys past their expiry out of memory, but read with a margin for clock skew.
    const keys = await publishedSigningKeys(db ?? this.options.store.db, now - 60_000);
    this.view = { loadedAt: now, keys };
    return this.view;
  }

  private async createFirstKey(db?: Kysely<Database>): Promise<void> {
    const fresh = await this.generate(this.options.algorithm ?? 'EdDSA');
    const create = async (tx: Kysely<Database>): Promise<void> => {
      await this.lock(tx);
      const existing = await publishedSigningKeys(tx, this.options.clock.now());
      // Another process won the race: use its key, never publish two current keys.
      if (existing.some((key) => key.retiredAt === null)) return;
      await insertSigningKey(tx, { ...fresh, createdAt: this.options.clock.now() });
    };
    if (db) await create(db);
    else await this.options.store.write(create);
  }

  private async lock(tx: Kysely<Database>): Promise<void> {
    if (this.options.store.dialect === 'postgres')
      await sql`select pg_advisory_xact_lock(${KEY_LOCK})`.execute(tx);
  }

  private async generate(alg: SigningAlgorithm): Promise<Omit<StoredSigningKey, 'createdAt'>> {
    // Random kids are never reused, even across stores restored from backups.
    const kid = newId('key', this.options.random ?? secureRandom);
    const { publicJwk, privateJwk } = await generateSigningKey(alg, kid);
    return {
      kid,
      alg,
      publicJwk: JSON.stringify(publicJwk),
      privateKey: sealPrivateKey(JSON.stringify(privateJwk), kid, this.options.masterKey),
      retiredAt: null,
      expiresAt: null,
    };
  }

  private privateKey(key: StoredSigningKey): Promise<CryptoKey> {
    let loaded = this.privateKeys.get(key.kid);
    if (!loaded) {
      const jwk = JSON.parse(
        openPrivateKey(key.privateKey, key.kid, this.options.masterKey),
      ) as JWK;
      loaded = importJWK(jwk, key.alg) as Promise<CryptoKey>;
      this.privateKeys.set(key.kid, loaded);
    }
    return loaded;
  }
}
