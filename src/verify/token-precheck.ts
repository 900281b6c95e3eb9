import { BASE62_ALPHABET, TOKEN_CHECKSUM_LENGTH, TOKEN_RANDOM_LENGTH } from '@gatehouse/core';

const BODY = TOKEN_RANDOM_LENGTH + TOKEN_CHECKSUM_LENGTH;
/** base62 digit of each char code, -1 when not base62. */
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE62_ALPHABET.length; i += 1) DIGIT[BASE62_ALPHABET.charCodeAt(i)] = i;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i += 1) {
    let c = i;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * The verify hot path's shape + checksum check: the same decision as core `parseToken` (a
 * property test holds them equal), without the regex, substrings or checksum string: char codes,
 * CRC32 over the random part, and the checksum decoded to a number (fixed-width base62 is
 * one-to-one, so equal numbers mean equal strings). Returns the prefix, or null for MALFORMED.
 * @example precheckToken('gth_…') // 'gth'
 */
export function precheckToken(token: string): string | null {
  if (typeof token !== 'string') return null;
  const n = token.length;
  const sep = n - BODY - 1; // the prefix has no '_' and the body is fixed-width
  if (sep < 2 || sep > 12 || token.charCodeAt(sep) !== 95) return null;
  if (!isLower(token.charCodeAt(0))) return null;
  for (let i = 1; i < sep; i += 1) {
    const c = token.charCodeAt(i);
    if (!isLower(c) && !isDigit(c)) return null;
  }
  let crc = 0xffffffff;
  const randomEnd = sep + 1 + TOKEN_RANDOM_LENGTH;
  for (let i = sep + 1; i < randomEnd; i += 1) {
    const c = token.charCodeAt(i);
    if (c >= 128 || DIGIT[c]! < 0) return null;
    crc = CRC_TABLE[(crc ^ c) & 0xff]! ^ (crc >>> 8);
  }
  let checksum = 0;
  for (let i = randomEnd; i < n; i += 1) {
    const c = token.charCodeAt(i);
    const digit = c < 128 ? DIGIT[c]! : -1;
    if (digit < 0) return null;
    checksum = checksum * 62 + digit;
  }
  return checksum === (crc ^ 0xffffffff) >>> 0 ? token.slice(0, sep) : null;
}
