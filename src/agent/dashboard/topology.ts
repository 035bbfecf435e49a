import { worstOf } from '../../discovery/status.js';
import { buildBalancers } from './balancers.js';
import { buildInstances } from './instances.js';
import type { DashboardSources } from './sources.js';

/**
 * The project as a graph: services (with their status), the networks they sit on (compose
 * networks; the host's loopback or its interfaces for everything else) and the balancer routes
 * that send traffic to them. The page lays it out; this only says what is connected to what.
 * `drawn`: the instances view when the caller has it already (the agent shares one per version).
 */
export async function buildTopology(
  src: DashboardSources,
  drawn: ReturnType<typeof buildInstances> = buildInstances(src),
) {
  const [{ services, instances }, { balancers }] = await Promise.all([drawn, buildBalancers(src)]);
  const compose = src.loaded()?.compose;
  const networksOf = (service: string): string[] => {
    const declared = compose?.services.find((s) => s.name === service);
    if (declared)
      return declared.networkMode === 'host'
        ? ['host']
        : declared.networks.length
          ? declared.networks
          : ['default'];
    const addresses = instances.filter((i) => i.service === service).map((i) => i.address);
    return [...new Set(addresses.map((a) => (isLoopback(a) ? 'host loopback' : 'host')))];
  };
  const serviceNodes = services.map((s) => ({
    id: `service:${s.name}`,
    name: s.name,
    status: s.status,
    instances: s.instances,
  }));
  const links: Array<{ from: string; to: string; kind: 'network' | 'route' }> = [];
  const networks = new Set<string>();
  for (const s of services)
    for (const n of networksOf(s.name)) {
      networks.add(n);
      links.push({ from: `service:${s.name}`, to: `network:${n}`, kind: 'network' });
    }
  const routes = balancers.flatMap((b) =>
    b.routes.map((r) => {
      const id = `route:${b.admin}:${r.name}`;
      // A catalog route names its service; a static one reaches services through their addresses.
      const targets = new Set<string>(r.service ? [r.service] : []);
      for (const u of r.upstreams)
        for (const i of instances)
          if (i.port === u.port && sameHost(i.address, u.address)) targets.add(i.service);
      for (const t of targets) links.push({ from: id, to: `service:${t}`, kind: 'route' });
      const healthy = r.upstreams.filter((u) => u.inRotation).length;
      return {
        id,
        name: r.name,
        match: r.kind === 'tcp' ? 'tcp' : `${r.host ?? 'any host'} ${r.pathPrefix ?? '/'}`,
        status: worstOf([r.panic ? 'critical' : healthy < r.upstreams.length ? 'warning' : 'passing']),
        balancer: b.admin,
      };
    }),
  );
  return {
    project: src.project(),
    services: serviceNodes,
    networks: [...networks].sort().map((n) => ({ id: `network:${n}`, name: n })),
    routes,
    links,
  };
}

function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || address.startsWith('127.');
}

function sameHost(a: string, b: string): boolean {
  return a === b || (isLoopback(a) && isLoopback(b));
}
