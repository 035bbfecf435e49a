import { BlockList, isIP } from 'node:net';
import { PorticoError } from '../core/errors.js';

/** Which peers may pass X-Forwarded-* through us: addresses and CIDR ranges from the config. */
export function trustedPeers(entries: string[]): (ip: string) => boolean {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/');
    const family = isIP(address ?? '');
    if (!family || (bits !== undefined && !/^\d+$/.test(bits))) {
      throw new PorticoError('E_LB_CONFIG', `trustedProxies: "${entry}" is not an IP address or CIDR range`);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address!, type);
    else list.addSubnet(address!, Number(bits), type);
  }
  return (ip) => {
    const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    const family = isIP(v4);
    return family !== 0 && list.check(v4, family === 6 ? 'ipv6' : 'ipv4');
  };
}
