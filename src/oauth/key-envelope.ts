import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/** The private key could not be decrypted: wrong master key or a tampered row. */
export class KeyDecryptionError extends Error {
  constructor(kid: string, options?: { cause?: unknown }) {
    super(
      `cannot decrypt signing key ${kid}: the master key differs from the one it was encrypted with (set the same GATEHOUSE_MASTER_KEY on every node)`,
      options,
    );
    this.name = 'KeyDecryptionError';
  }
}

// Binding the ciphertext to its kid stops a row's private key being swapped into another row.
const aad = (kid: string): Buffer => Buffer.from(`gatehouse-signing-key:${kid}`, 'utf8');

/**
 * Encrypts a private key (JWK JSON) with AES-256-GCM under the master key:
 * `v1.<iv>.<ciphertext>.<tag>`, base64url parts, 96-bit random IV.
 * @example const envelope = sealPrivateKey(JSON.stringify(privateJwk), kid, master.key);
 */
export function sealPrivateKey(plaintext: string, kid: string, masterKey: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(aad(kid));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv, body, tag]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/**
 * Decrypts an envelope made by {@link sealPrivateKey}; throws {@link KeyDecryptionError}.
 * @example const jwk = JSON.parse(openPrivateKey(row.privateKey, row.kid, master.key));
 */
export function openPrivateKey(envelope: string, kid: string, masterKey: Buffer): string {
  const [version, iv, body, tag] = envelope.split('.');
  if (version !== VERSION || !iv || !body || !tag) throw new KeyDecryptionError(kid);
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64url'));
    decipher.setAAD(aad(kid));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch (cause) {
    throw new KeyDecryptionError(kid, { cause });
  }
}
