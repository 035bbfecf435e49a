import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';

/** A port that was free a moment ago on `host` (the kernel picks it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Network safety: before a test sends to a namespace address, prove the route goes through the
 * veth the test created (or loopback), never the default route off this machine.
 */
export function assertRouteVia(address: string, device: string): void {
  const route = execFileSync('ip', ['route', 'get', address], { encoding: 'utf8' });
  if (!new RegExp(`\\bdev ${device}\\b`).test(route)) {
    throw new Error(`refusing to send to ${address}: route is "${route.trim()}", expected dev ${device}`);
  }
}

export function isSafeTestAddress(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('10.200.');
}
