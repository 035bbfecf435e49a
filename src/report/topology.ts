import { isLoopbackAddress } from '../core/address.js';
import type { GatewayConfig } from '../diagnose/gateway/model.js';
import { beyondLoopback, bindText } from '../policy/classify.js';
import { type LbRoute, readLbRoutes } from '../policy/lb-routes.js';
import type { PolicyConfig } from '../policy/schema.js';
import type { Project } from '../project/model.js';
import type { Topology, TopologyNetwork, TopologyRoute, TopologyService } from './model.js';

/**
 * The project as a graph: services (compose, then portico.yaml), the networks they join, their
 * published ports, and the balancer routes in front of them: portico-lb.yaml's, else those of the
 * project's nginx, HAProxy or Caddy configuration (`gateway`, read as `troubleshoot api-gateway`
 * reads it). Everything sorted, so the same project always gives the same picture.
 */
export function buildTopology(project: Project, policy: PolicyConfig, gateway?: GatewayConfig): Topology {
  const tierOf = new Map<string, string>();
  for (const [tier, { services }] of Object.entries(policy.tiers)) {
    for (const s of services) tierOf.set(s, tier);
  }
  const compose = project.compose?.services ?? [];
  const services: TopologyService[] = compose.map((s) => ({
    name: s.name,
    kind: 'compose',
    ...(s.image ? { image: s.image } : {}),
    ...(tierOf.has(s.name) ? { tier: tierOf.get(s.name)! } : {}),
    ports: s.ports.map((p) => ({
      text: bindText(p),
      beyondLoopback: beyondLoopback(p),
      ...(p.hostPort !== undefined ? { hostPort: p.hostPort } : {}),
    })),
    networks: s.networkMode ? [] : [...s.networks].sort(),
    ...(s.networkMode ? { networkMode: s.networkMode } : {}),
  }));
  const names = new Set(compose.map((s) => s.name));
  for (const [name, m] of Object.entries(project.manifest?.data.services ?? {})) {
    if (names.has(name)) continue; // the compose service is the same one
    services.push({
      name,
      kind: 'manifest',
      ...(tierOf.has(name) ? { tier: tierOf.get(name)! } : {}),
      ports: m.endpoints.map((e) => ({
        text: `${m.protocol} ${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`,
        beyondLoopback: !isLoopbackAddress(e.address) && e.address !== 'localhost',
        hostPort: e.port,
      })),
      networks: [],
    });
  }
  const tierOrder = Object.keys(policy.tiers);
  const rank = (s: TopologyService) => (s.tier ? tierOrder.indexOf(s.tier) : tierOrder.length);
  services.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));

  const declared = project.compose?.networks ?? {};
  const used = new Set(services.flatMap((s) => s.networks));
  const networks: TopologyNetwork[] = [...used].sort().map((name) => ({
    name,
    internal: declared[name]?.internal ?? false,
    external: declared[name]?.external ?? false,
  }));

  const lb = readLbRoutes(project.dir);
  if (!lb && gateway) {
    const routes = gateway.routes.map((r, i) => routeOf(fromGateway(r, i), services, project));
    return { services, networks, routes, lbFile: gateway.file };
  }
  const routes = (lb?.routes ?? []).map((r) => routeOf(r, services, project));
  return { services, networks, routes, ...(lb ? { lbFile: lb.file } : {}) };
}

/** A route of nginx/HAProxy/Caddy in the shape portico-lb.yaml's routes are resolved from. */
function fromGateway(route: GatewayConfig['routes'][number], index: number): LbRoute {
  return {
    kind: 'http',
    index,
    name: route.name,
    ...(route.hosts.length ? { host: route.hosts.join(',') } : {}),
    pathPrefix: route.pathPrefix,
    upstreams: route.upstreams.map((u, i) => ({ host: u.host, port: u.port, index: i })),
  };
}

function routeOf(route: LbRoute, services: TopologyService[], project: Project): TopologyRoute {
  const targets = new Set<string>();
  const unresolved: string[] = [];
  const byName = (name: string) =>
    services.find(
      (s) =>
        s.name === name || project.compose?.services.find((c) => c.name === s.name)?.containerName === name,
    )?.name;
  if (route.service) {
    const found = byName(route.service);
    if (found) targets.add(found);
    else unresolved.push(`service ${route.service}`);
  }
  for (const up of route.upstreams) {
    const found =
      byName(up.host) ??
      // Through the host: a loopback upstream on a port a service publishes or declares.
      (up.port !== undefined && (isLoopbackAddress(up.host) || up.host === 'localhost')
        ? services.find((s) => s.ports.some((p) => p.hostPort === up.port))?.name
        : undefined);
    if (found) targets.add(found);
    else unresolved.push(`${up.host}${up.port !== undefined ? `:${up.port}` : ''}`);
  }
  const match =
    route.kind === 'tcp' ? `tcp ${route.listen ?? '?'}` : `${route.host ?? '*'} ${route.pathPrefix ?? '/'}`;
  return {
    name: route.name ?? `${route.kind}[${route.index}]`,
    match,
    targets: [...targets].sort(),
    unresolved,
  };
}
