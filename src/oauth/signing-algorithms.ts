import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';

/** The JWS algorithms Gatehouse signs and accepts. Never `none`, never HMAC. */
export type SigningAlgorithm = 'EdDSA' | 'ES256';

export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['EdDSA', 'ES256'];

interface AlgorithmSpec {
  /** Generation options for jose's `generateKeyPair`. */
  crv: string;
  /** The JWK members that make up the public key; everything else is stripped before publishing. */
  publicMembers: readonly (keyof JWK)[];
}

const SPECS: Readonly<Record<SigningAlgorithm, AlgorithmSpec>> = {
  EdDSA: { crv: 'Ed25519', publicMembers: ['kty', 'crv', 'x'] },
  ES256: { crv: 'P-256', publicMembers: ['kty', 'crv', 'x', 'y'] },
};

/** Whether a string names a supported signing algorithm. */
export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && Object.hasOwn(SPECS, value);
}

/**
 * Generates an extractable key pair and returns both halves as JWKs (public one already reduced
 * to public members, with kid/alg/use).
 * @example const { publicJwk, privateJwk } = await generateSigningKey('EdDSA', 'key_abc');
 */
export async function generateSigningKey(
  alg: SigningAlgorithm,
  kid: string,
): Promise<{ publicJwk: JWK; privateJwk: JWK }> {
  const pair = await generateKeyPair(alg, { crv: SPECS[alg].crv, extractable: true });
  const privateJwk = await exportJWK(pair.privateKey as CryptoKey);
  const publicJwk = publicMembers(alg, await exportJWK(pair.publicKey as CryptoKey), kid);
  return { publicJwk, privateJwk: { ...privateJwk, kid, alg } };
}

/**
 * Only the public members of a JWK plus `kid`, `alg`, `use: sig` — what a JWKS may carry.
 * @example publicMembers('EdDSA', jwk, kid) // { kty, crv, x, kid, alg, use }
 */
export function publicMembers(alg: SigningAlgorithm, jwk: JWK, kid: string): JWK {
  const out: JWK = {};
  for (const member of SPECS[alg].publicMembers) {
    const value = jwk[member];
    if (typeof value === 'string') (out as Record<string, string>)[member] = value;
  }
  return { ...out, kid, alg, use: 'sig' };
}
