export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Draws `length` uniformly distributed base62 characters from a CSPRNG.
 * Uses rejection sampling (bytes >= 248 are discarded) so there is no modulo bias.
 * @example randomBase62(secureRandom, 32)
 */
export function randomBase62(random: { bytes(n: number): Uint8Array }, length: number): string {
  let out = '';
  while (out.length < length) {
    const batch = random.bytes(Math.ceil((length - out.length) * 1.1) + 4);
    for (const byte of batch) {
      if (byte >= 248) continue;
      out += BASE62_ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * Encodes a non-negative integer (< 2^53) in base62, left-padded with '0' to `width`.
 * @example encodeBase62Fixed(0xffffffff, 6) // "4gfFC3"
 */
export function encodeBase62Fixed(value: number, width: number): string {
  let n = value;
  let out = '';
  do {
    out = BASE62_ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, '0');
}
