import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@gatehouse/core';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { forEachStore } from '../../test/store-harness.js';
import { changesAfter, latestChangeSeq } from '../store/changes-repo.js';
import { allSigningKeys } from '../store/keys-repo.js';
import { signAccessToken } from './jwt-issue.js';
import { verifyAccessTokenJwt } from './jwt-verify.js';
import { KeyDecryptionError } from './key-envelope.js';
import { KeyRing } from './key-ring.js';
import { loadMasterKey, MasterKeyError, parseMasterKey } from './master-key.js';

const MIN = 60_000;
const issuer = 'https://auth.example.test';

describe('master key', () => {
  it('creates <dataDir>/master.key with mode 0600 once, then reads it back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-mk-'));
    try {
      const first = loadMasterKey({ env: {}, dataDir: dir });
      expect(first.source).toBe('created');
      expect(first.key).toHaveLength(32);
      expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
      const second = loadMasterKey({ env: {}, dataDir: dir });
      expect(second.source).toBe('file');
      expect(second.key.equals(first.key)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes GATEHOUSE_MASTER_KEY as hex or base64 and refuses other lengths', () => {
    const raw = randomBytes(32);
    const dataDir = '/nonexistent-not-used';
    expect(
      loadMasterKey({ env: { GATEHOUSE_MASTER_KEY: raw.toString('hex') }, dataDir }).key.equals(
        raw,
      ),
    ).toBe(true);
    expect(parseMasterKey(raw.toString('base64')).equals(raw)).toBe(true);
    expect(parseMasterKey(raw.toString('base64url')).equals(raw)).toBe(true);
    expect(() => parseMasterKey(randomBytes(16).toString('base64'))).toThrow(MasterKeyError);
    expect(() => parseMasterKey('not a key!')).toThrow(MasterKeyError);
  });
});

forEachStore('key ring', (target) => {
  const masterKey = randomBytes(32);
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const ring = (options: { key?: Buffer; ttl?: number } = {}): KeyRing =>
    new KeyRing({
      store: target.store(),
      masterKey: options.key ?? masterKey,
      clock,
      cacheTtlMs: options.ttl ?? 5_000,
    });
  const sign = (r: KeyRing, jti: string, lifetimeMs = 15 * MIN): Promise<string> =>
    signAccessToken(r, {
      issuer,
      audience: 'default',
      jti,
      clientId: 'tok_client',
      subject: null,
      scopes: ['orders:read'],
      issuedAt: clock.now(),
      expiresAt: clock.now() + lifetimeMs,
    });
  const kidOf = (jwt: string): string | undefined => decodeProtectedHeader(jwt).kid;

  it('processes starting together agree on one first key', async () => {
    const kids = await Promise.all([
      ring().ensureSigningKey(),
      ring().ensureSigningKey(),
      ring().ensureSigningKey(),
    ]);
    expect(new Set(kids).size).toBe(1);
    const rows = await allSigningKeys(target.store().db);
    expect(rows.filter((row) => row.retiredAt === null)).toHaveLength(1);
  });

  it('stores private keys encrypted and publishes public members only', async () => {
    const r = ring();
    await r.ensureSigningKey();
    const rows = await allSigningKeys(target.store().db);
    for (const row of rows) {
      expect(row.privateKey).toMatch(/^v1\./);
      expect(row.privateKey).not.toContain('"d"');
    }
    const jwks = await r.jwks();
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const jwk of jwks.keys) {
      expect(Object.keys(jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
      expect(jwk).toMatchObject({ alg: 'EdDSA', kty: 'OKP', crv: 'Ed25519', use: 'sig' });
    }
  });

  it('rotation timeline: old key stays published until its last token expires, then leaves', async () => {
    const r = ring();
    const kid1 = await r.ensureSigningKey();
    const tokenA = await sign(r, 'jti_a');
    expect(kidOf(tokenA)).toBe(kid1);
    const seqBefore = await latestChangeSeq(target.store().db);

    clock.advance(MIN);
    const rotated = await r.rotate();
    expect(rotated.retired).toEqual([kid1]);
    const kid2 = rotated.kid;
    expect(kid2).not.toBe(kid1);
    const changes = await changesAfter(target.store().db, seqBefore);
    expect(changes.map((c) => c.type)).toEqual(['key.rotated']);
    expect(changes[0]?.payload).toMatchObject({ kid: kid2, retired: [kid1] });

    const tokenB = await sign(r, 'jti_b');
    expect(kidOf(tokenB)).toBe(kid2);
    expect((await r.jwks()).keys.map((k) => k.kid)).toEqual([kid2, kid1]);
    expect(
      (await verifyAccessTokenJwt(tokenA, { keys: r, clock, issuer, audience: 'default' })).ok,
    ).toBe(true);

    // Token A expires at t0+15m; with 30 s skew and minute rounding kid1 stays until t0+16m.
    clock.advance(14 * MIN + 59_000);
    expect((await r.jwks()).keys.map((k) => k.kid)).toContain(kid1);
    clock.advance(2_000);
    const kids = (await r.jwks()).keys.map((k) => k.kid);
    expect(kids).toEqual([kid2]);
    const late = await verifyAccessTokenJwt(tokenA, {
      keys: r,
      clock,
      issuer,
      audience: 'default',
    });
    expect(late).toMatchObject({ ok: false });
  });

  it('a key retired before it signed anything leaves after the cache window; kids never repeat', async () => {
    const r = ring();
    clock.advance(60 * MIN); // every token signed by earlier tests has expired
    const unused = (await r.rotate()).kid;
    const next = (await r.rotate()).kid;
    expect((await r.jwks()).keys.map((k) => k.kid)).toContain(unused);
    clock.advance(5_001);
    expect((await r.jwks()).keys.map((k) => k.kid)).toEqual([next]);
    const all = await allSigningKeys(target.store().db);
    expect(new Set(all.map((k) => k.kid)).size).toBe(all.length);
  });

  it('another process picks up a rotation after its cache window, and verifies new kids at once', async () => {
    const a = ring();
    const b = ring();
    const before = await b.ensureSigningKey();
    expect(await a.ensureSigningKey()).toBe(before);
    const { kid } = await a.rotate();
    const fromA = await sign(a, 'jti_c');
    // B still signs with its cached key (still published), but verifies A's new kid immediately.
    expect(kidOf(await sign(b, 'jti_d'))).toBe(before);
    expect(
      (await verifyAccessTokenJwt(fromA, { keys: b, clock, issuer, audience: 'default' })).ok,
    ).toBe(true);
    clock.advance(5_000);
    expect(kidOf(await sign(b, 'jti_e'))).toBe(kid);
    // The token B signed with the retired key keeps that key published until it expires.
    expect((await a.jwks()).keys.map((k) => k.kid)).toContain(before);
  });

  it('ES256 keys on request', async () => {
    const r = ring();
    const { kid, alg } = await r.rotate({ algorithm: 'ES256' });
    expect(alg).toBe('ES256');
    const jwt = await sign(r, 'jti_es');
    expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'ES256', kid, typ: 'at+jwt' });
    const jwk = (await r.jwks()).keys.find((k) => k.kid === kid);
    expect(Object.keys(jwk ?? {}).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(
      (await verifyAccessTokenJwt(jwt, { keys: r, clock, issuer, audience: 'default' })).ok,
    ).toBe(true);
    await r.rotate();
  });

  it('a different master key cannot use the stored keys', async () => {
    await expect(ring({ key: randomBytes(32) }).signingKey()).rejects.toBeInstanceOf(
      KeyDecryptionError,
    );
  });
});
