import { readFileSync } from 'node:fs';

/** One row of /proc/net/{tcp,tcp6,udp,udp6} that is a listener. */
export interface RawSocket {
  protocol: 'tcp' | 'udp';
  family: 4 | 6;
  address: string;
  port: number;
  uid: number;
  inode: number;
}

const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

/**
 * Listening TCP and bound (unconnected) UDP sockets of this network namespace, read straight
 * from procfs: the same tables `ss` reads through netlink, without spawning anything.
 */
export function readProcNet(root = '/proc'): RawSocket[] {
  const out: RawSocket[] = [];
  parseTable(read(`${root}/net/tcp`), 'tcp', 4, TCP_LISTEN, out);
  parseTable(read(`${root}/net/tcp6`), 'tcp', 6, TCP_LISTEN, out);
  parseTable(read(`${root}/net/udp`), 'udp', 4, UDP_UNCONNECTED, out);
  parseTable(read(`${root}/net/udp6`), 'udp', 6, UDP_UNCONNECTED, out);
  return out;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return ''; // IPv6 disabled, or no procfs: nothing to list from this table
  }
}

export function parseTable(
  text: string,
  protocol: 'tcp' | 'udp',
  family: 4 | 6,
  state: string,
  out: RawSocket[],
): void {
  let pos = text.indexOf('\n') + 1; // skip the header
  const fields: string[] = [];
  while (pos > 0 && pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    // A hand-rolled field split: this runs once per socket, thousands of times per call.
    fields.length = 0;
    let i = pos;
    while (i < end && fields.length < 10) {
      while (i < end && text.charCodeAt(i) === 32) i++;
      const start = i;
      while (i < end && text.charCodeAt(i) !== 32) i++;
      if (i > start) fields.push(text.slice(start, i));
    }
    pos = end + 1;
    // sl local rem st tx:rx tr:when retr uid timeout inode
    if (fields.length < 10 || fields[3] !== state) continue;
    const local = fields[1]!;
    const colon = local.indexOf(':');
    const port = Number.parseInt(local.slice(colon + 1), 16);
    if (port === 0) continue;
    out.push({
      protocol,
      family,
      address: family === 4 ? hexToIPv4(local.slice(0, colon)) : hexToIPv6(local.slice(0, colon)),
      port,
      uid: Number(fields[7]),
      inode: Number(fields[9]),
    });
  }
}

/** procfs prints each 32-bit word in host (little-endian) byte order. */
export function hexToIPv4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return `${n & 255}.${(n >>> 8) & 255}.${(n >>> 16) & 255}.${n >>> 24}`;
}

export function hexToIPv6(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  return compressIPv6(groups);
}

/** RFC 5952 text form: the longest run of two or more zero groups becomes "::". */
function compressIPv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
