import ipaddr from 'ipaddr.js';

/**
 * The key a client address is limited under. An IPv6 client usually holds a whole /64 (SLAAC,
 * privacy addresses), so limiting single IPv6 addresses would give it 2^64 allowances: IPv6 is
 * grouped by /64. IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
 */
export function clientAddressKey(ip: string | null): string {
  if (!ip || !ipaddr.isValid(ip)) return 'unknown';
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`).toString()}/64`;
}
