import { readFileSync } from 'node:fs';

export interface Cidr {
  base: number;
  bits: number;
  text: string;
}

export function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const bits = Number(m[5]);
  const ip = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  return { base: (ip & mask(bits)) >>> 0, bits, text };
}

function mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  return ((a.base ^ b.base) & mask(bits)) === 0;
}

export interface HostRoute {
  cidr: Cidr;
  device: string;
  default: boolean;
}

/** IPv4 routes of this host from /proc/net/route (what `ip route` shows). */
export function hostRoutes(path = '/proc/net/route'): HostRoute[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .slice(1)
    .flatMap((line) => {
      const f = line.trim().split(/\s+/);
      if (f.length < 8) return [];
      const le = (hex: string): number => {
        const n = Number.parseInt(hex, 16);
        return (
          (((n & 0xff) << 24) | (((n >>> 8) & 0xff) << 16) | (((n >>> 16) & 0xff) << 8) | (n >>> 24)) >>> 0
        );
      };
      const dest = le(f[1]!);
      const maskValue = le(f[7]!);
      const bits = maskValue === 0 ? 0 : 32 - Math.log2((~maskValue >>> 0) + 1);
      const text = `${[dest >>> 24, (dest >>> 16) & 255, (dest >>> 8) & 255, dest & 255].join('.')}/${bits}`;
      return [{ cidr: { base: dest, bits, text }, device: f[0]!, default: bits === 0 }];
    });
}
