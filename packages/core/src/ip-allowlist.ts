import { BlockList, isIP } from 'node:net';

/** A compiled CIDR allowlist; `null` allows every address. */
export type IpAllowlist = { readonly allows: (ip: string) => boolean } | null;

const V4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** Splits a CIDR (or bare address) into address and prefix length; throws RangeError when invalid. */
export function parseCidr(cidr: string): {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
} {
  const [address = '', prefixText, extra] = cidr.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) throw new RangeError(`invalid CIDR: ${cidr}`);
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix > max) {
    throw new RangeError(`invalid CIDR prefix length: ${cidr}`);
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * Compiles CIDRs (IPv4 and IPv6) into a matcher backed by `net.BlockList`.
 * IPv4-mapped IPv6 client addresses (`::ffff:10.0.0.1`) match IPv4 ranges.
 * @example compileAllowlist(['10.0.0.0/8', '2001:db8::/32'])?.allows('10.1.2.3') // true
 */
export function compileAllowlist(cidrs: readonly string[] | null | undefined): IpAllowlist {
  if (!cidrs || cidrs.length === 0) return null;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const { address, prefix, family } = parseCidr(cidr);
    list.addSubnet(address, prefix, family);
  }
  return {
    allows(ip: string): boolean {
      const mapped = V4_MAPPED.exec(ip);
      const address = mapped ? mapped[1]! : ip;
      const version = isIP(address);
      if (version === 0) return false;
      return list.check(address, version === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
