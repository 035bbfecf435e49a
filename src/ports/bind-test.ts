import { createServer } from 'node:net';

export type BindOutcome = 'free' | 'in-use' | 'denied' | 'unavailable';

/**
 * The ground truth for "is this port free": try to bind it. Listing sockets can miss ports held
 * in other network namespaces or by sockets we cannot see; the kernel cannot.
 */
export async function bindTest(host: string, port: number): Promise<BindOutcome> {
  return await new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve('in-use');
      else if (error.code === 'EACCES' || error.code === 'EPERM') resolve('denied');
      else resolve('unavailable'); // EADDRNOTAVAIL / EAFNOSUPPORT: no such address here (IPv6 off)
    });
    // exclusive: in a cluster worker, ask the kernel, not the primary's shared handle.
    server.listen({ host, port, exclusive: true, ipv6Only: host.includes(':') }, () => {
      server.close(() => resolve('free'));
    });
  });
}

export interface FamilyAvailability {
  ipv4: BindOutcome;
  ipv6: BindOutcome;
}

/** Whether a port is bindable on all interfaces of each family (what Docker needs to publish it). */
export async function bindTestBothFamilies(port: number): Promise<FamilyAvailability> {
  const [ipv4, ipv6] = await Promise.all([bindTest('0.0.0.0', port), bindTest('::', port)]);
  return { ipv4, ipv6 };
}

/** Free for our purposes: bindable on IPv4, and on IPv6 unless this host has no IPv6. */
export function isFreeOnBoth(a: FamilyAvailability): boolean {
  return a.ipv4 === 'free' && (a.ipv6 === 'free' || a.ipv6 === 'unavailable');
}
