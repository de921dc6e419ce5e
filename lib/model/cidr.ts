/** IPv4 CIDR arithmetic for NetworkPolicy ipBlocks and pg_hba addresses. */

/** Whether IPv4 CIDR `outer` contains all of `inner`. IPv6 blocks never contain IPv4 ones and vice versa. */
export function cidrContains(outer: string, inner: string): boolean {
  const a = parseIpv4Cidr(outer);
  const b = parseIpv4Cidr(inner);
  if (!a || !b || b.prefix < a.prefix) return false;
  const mask = a.prefix === 0 ? 0 : (~0 << (32 - a.prefix)) >>> 0;
  return ((a.address & mask) >>> 0) === ((b.address & mask) >>> 0);
}

/** Parses `a.b.c.d/n`; undefined when it is not an IPv4 CIDR. */
export function parseIpv4Cidr(cidr: string): { address: number; prefix: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  return { address: octets.reduce((acc, octet) => acc * 256 + octet, 0), prefix };
}

/** `a.b.c.d` of a 32-bit address. */
const dotted = (address: number) => [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.');

/**
 * For an IPv4 CIDR whose address has bits set beyond its prefix (`172.16.5.0/12`): the network the prefix names
 * (`172.16.0.0/12`), and the longest prefix at which the address is itself a network (`172.16.5.0/24`). Undefined for
 * a CIDR without host bits, or one that does not parse.
 */
export function hostBits(cidr: string): { readonly network: string; readonly narrowest: string } | undefined {
  const parsed = parseIpv4Cidr(cidr);
  if (!parsed) return undefined;
  const mask = parsed.prefix === 0 ? 0 : (~0 << (32 - parsed.prefix)) >>> 0;
  const network = (parsed.address & mask) >>> 0;
  if (network === parsed.address) return undefined;
  let zeros = 0;
  while (zeros < 32 && ((parsed.address >>> zeros) & 1) === 0) zeros++;
  return { network: `${dotted(network)}/${parsed.prefix}`, narrowest: `${dotted(parsed.address)}/${32 - zeros}` };
}
