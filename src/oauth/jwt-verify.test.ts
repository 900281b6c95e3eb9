import { randomBytes } from 'node:crypto';
import { ManualClock } from '@gatehouse/core';
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { beforeAll, expect, it } from 'vitest';
import { forEachStore } from '../../test/store-harness.js';
import { signAccessToken } from './jwt-issue.js';
import { looksLikeJwt, verifyAccessTokenJwt } from './jwt-verify.js';
import { KeyRing, type SigningKey } from './key-ring.js';

const issuer = 'https://auth.example.test';

forEachStore('JWT verification rejects every forgery', (target) => {
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  let ring: KeyRing;
  let key: SigningKey;
  const nowS = (): number => Math.floor(clock.now() / 1000);
  const claims = (): JWTPayload => ({
    iss: issuer,
    sub: 'user_1',
    aud: 'default',
    iat: nowS(),
    exp: nowS() + 900,
    jti: 'tok_jti',
    client_id: 'tok_client',
    scope: 'orders:read',
  });
  const craft = (
    payload: JWTPayload,
    header: Record<string, unknown> = {},
    signWith: CryptoKey | Uint8Array = key.privateKey,
  ): Promise<string> =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header } as never)
      .sign(signWith);
  const check = (jwt: string, audience: string | undefined = 'default') =>
    verifyAccessTokenJwt(jwt, { keys: ring, clock, issuer, audience });

  beforeAll(async () => {
    ring = new KeyRing({ store: target.store(), masterKey: randomBytes(32), clock });
    key = await ring.signingKey();
  });

  it('accepts a token Gatehouse signed', async () => {
    const jwt = await signAccessToken(ring, {
      issuer,
      audience: 'default',
      jti: 'tok_ok',
      clientId: 'tok_ok',
      subject: null,
      scopes: ['orders:read', 'orders:write'],
      issuedAt: clock.now(),
      expiresAt: clock.now() + 60_000,
    });
    expect(looksLikeJwt(jwt)).toBe(true);
    const result = await check(jwt);
    expect(result).toMatchObject({
      ok: true,
      claims: { sub: 'tok_ok', client_id: 'tok_ok', scope: 'orders:read orders:write' },
    });
    expect(await check(await craft(claims()))).toMatchObject({ ok: true });
  });

  it('alg none', async () => {
    const jwt = new UnsecuredJWT(claims()).encode();
    expect(await check(jwt)).toMatchObject({ ok: false, code: 'MALFORMED' });
    // Same with a typ and kid in the header.
    const [, payload] = jwt.split('.');
    const header = Buffer.from(
      JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: key.kid }),
    ).toString('base64url');
    expect(await check(`${header}.${payload}.`)).toMatchObject({ ok: false, code: 'MALFORMED' });
  });

  it('HS256 signed with the public key as the HMAC secret', async () => {
    const publicJwk = (await ring.jwks()).keys.find((k) => k.kid === key.kid)!;
    for (const secret of [
      new TextEncoder().encode(JSON.stringify(publicJwk)),
      Buffer.from(publicJwk.x!, 'base64url'),
    ]) {
      const jwt = await craft(claims(), { alg: 'HS256' }, secret);
      expect(await check(jwt)).toMatchObject({ ok: false, code: 'MALFORMED' });
    }
  });

  it('unknown kid, a foreign key under our kid, a kid-less header, an alg that is not the key’s', async () => {
    const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    expect(
      await check(await craft(claims(), { kid: 'key_unknown' }, foreign.privateKey)),
    ).toMatchObject({ ok: false, code: 'MALFORMED' });
    expect(await check(await craft(claims(), {}, foreign.privateKey))).toMatchObject({
      ok: false,
      code: 'MALFORMED',
    });
    const noKid = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' })
      .sign(key.privateKey);
    expect(await check(noKid)).toMatchObject({ ok: false, code: 'MALFORMED' });
    const es = await generateKeyPair('ES256', { extractable: true });
    expect(await check(await craft(claims(), { alg: 'ES256' }, es.privateKey))).toMatchObject({
      ok: false,
      code: 'MALFORMED',
    });
    // An embedded jwk header is never trusted.
    const embedded = await craft(
      claims(),
      { kid: undefined, jwk: await exportJWK(foreign.publicKey) },
      foreign.privateKey,
    );
    expect(await check(embedded)).toMatchObject({ ok: false, code: 'MALFORMED' });
  });

  it('wrong or missing typ', async () => {
    expect(await check(await craft(claims(), { typ: 'JWT' }))).toMatchObject({
      ok: false,
      code: 'MALFORMED',
    });
    expect(await check(await craft(claims(), { typ: undefined }))).toMatchObject({
      ok: false,
      code: 'MALFORMED',
    });
    expect(await check(await craft(claims(), { typ: 'application/at+jwt' }))).toMatchObject({
      ok: true,
    });
  });

  it('wrong iss or aud, and missing required claims', async () => {
    expect(await check(await craft({ ...claims(), iss: 'https://evil.example' }))).toMatchObject({
      ok: false,
      code: 'MALFORMED',
    });
    expect(await check(await craft({ ...claims(), aud: 'billing' }))).toMatchObject({
      ok: false,
      code: 'MALFORMED',
    });
    for (const claim of ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope']) {
      const payload = claims();
      delete payload[claim];
      expect(await check(await craft(payload)), claim).toMatchObject({
        ok: false,
        code: 'MALFORMED',
      });
    }
  });

  it('expired beyond the 30 s skew; not yet valid (nbf, iat) beyond the skew', async () => {
    expect(await check(await craft({ ...claims(), exp: nowS() - 20 }))).toMatchObject({ ok: true });
    expect(await check(await craft({ ...claims(), exp: nowS() - 31 }))).toMatchObject({
      ok: false,
      code: 'EXPIRED',
    });
    expect(await check(await craft({ ...claims(), nbf: nowS() + 20 }))).toMatchObject({ ok: true });
    expect(await check(await craft({ ...claims(), nbf: nowS() + 60 }))).toMatchObject({
      ok: false,
      code: 'MALFORMED',
    });
    expect(await check(await craft({ ...claims(), iat: nowS() + 120 }))).toMatchObject({
      ok: false,
      code: 'MALFORMED',
    });
  });

  it('a tampered payload, garbage and opaque tokens', async () => {
    const good = await craft(claims());
    const [h, , s] = good.split('.');
    const evil = Buffer.from(JSON.stringify({ ...claims(), scope: 'admin' })).toString('base64url');
    expect(await check(`${h}.${evil}.${s}`)).toMatchObject({ ok: false, code: 'MALFORMED' });
    for (const junk of ['', 'a.b.c', 'eyJ.eyJ.', `eyJ${'a'.repeat(9000)}.e.e`, 'gth_notajwt']) {
      expect(await check(junk)).toMatchObject({ ok: false, code: 'MALFORMED' });
    }
  });
});
