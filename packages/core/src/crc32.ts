const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of an ASCII string.
 * Kept here rather than using `zlib.crc32` so the core runs without Node built-ins
 * beyond Web Crypto (browsers, edge runtimes) and on Node versions before 20.15.
 * @example crc32('123456789') === 0xcbf43926
 */
export function crc32(ascii: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < ascii.length; i++) {
    crc = TABLE[(crc ^ ascii.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
