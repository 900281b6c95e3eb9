import { encodeBase62Fixed, randomBase62 } from './base62.js';
import type { RandomSource } from './clock.js';
import { crc32 } from './crc32.js';

/** Characters of CSPRNG output in a token: 32 base62 chars = 190.5 bits of entropy. */
export const TOKEN_RANDOM_LENGTH = 32;
/** Width of the base62 CRC32 checksum: 62^6 > 2^32, so every CRC32 fits. */
export const TOKEN_CHECKSUM_LENGTH = 6;
/** An API prefix: a lowercase letter then 1–11 lowercase letters or digits. */
export const PREFIX_PATTERN = '[a-z][a-z0-9]{1,11}';
export const PREFIX_REGEX: RegExp = new RegExp(`^${PREFIX_PATTERN}$`);

const BODY_LENGTH = TOKEN_RANDOM_LENGTH + TOKEN_CHECKSUM_LENGTH;

/**
 * Matches a whole opaque Gatehouse token (`<prefix>_<32 random base62><6 checksum base62>`).
 * Use {@link TOKEN_SCAN_REGEX} to find tokens inside text; verify the checksum with {@link parseToken}.
 * @example TOKEN_REGEX.test('gth_...')
 */
export const TOKEN_REGEX: RegExp = new RegExp(
  `^(${PREFIX_PATTERN})_([0-9A-Za-z]{${BODY_LENGTH}})$`,
);

/** Finds candidate tokens in free text (global; word-bounded so longer runs don't match). */
export const TOKEN_SCAN_REGEX: RegExp = new RegExp(
  `(?<![A-Za-z0-9_])${PREFIX_PATTERN}_[0-9A-Za-z]{${BODY_LENGTH}}(?![A-Za-z0-9_])`,
  'g',
);

export type ParsedToken =
  | { ok: true; prefix: string; random: string; checksum: string }
  | { ok: false; reason: 'shape' | 'checksum' };

/** Computes the fixed-width base62 CRC32 checksum of the random part. */
export function tokenChecksum(random: string): string {
  return encodeBase62Fixed(crc32(random), TOKEN_CHECKSUM_LENGTH);
}

/**
 * Validates a token's shape and checksum offline, without any store lookup.
 * @example
 * const parsed = parseToken(input);
 * if (!parsed.ok) return { valid: false, code: 'MALFORMED' };
 */
export function parseToken(input: string): ParsedToken {
  // Cheap length guard first: the hot path rejects garbage before running a regex.
  if (typeof input !== 'string' || input.length > 64 || input.length < BODY_LENGTH + 3) {
    return { ok: false, reason: 'shape' };
  }
  const match = TOKEN_REGEX.exec(input);
  if (!match) return { ok: false, reason: 'shape' };
  const prefix = match[1]!;
  const body = match[2]!;
  const random = body.slice(0, TOKEN_RANDOM_LENGTH);
  const checksum = body.slice(TOKEN_RANDOM_LENGTH);
  if (tokenChecksum(random) !== checksum) return { ok: false, reason: 'checksum' };
  return { ok: true, prefix, random, checksum };
}

/**
 * Generates a new opaque token secret for an API prefix.
 * @example generateToken({ prefix: 'gth', random: secureRandom })
 */
export function generateToken(options: { prefix: string; random: RandomSource }): string {
  if (!PREFIX_REGEX.test(options.prefix)) throw new RangeError(`invalid prefix ${options.prefix}`);
  const random = randomBase62(options.random, TOKEN_RANDOM_LENGTH);
  return `${options.prefix}_${random}${tokenChecksum(random)}`;
}

/** Entropy in bits of the random part of a token. */
export const TOKEN_ENTROPY_BITS: number = TOKEN_RANDOM_LENGTH * Math.log2(62);
