import { formatHostPort } from '../core/address.js';
import type { Instance } from '../core/model.js';
import { instanceStatus } from '../discovery/status.js';
import type { Store } from '../store/store.js';
import type { Balancer } from './balancer.js';
import type { UpstreamSpec } from './model.js';

const routable = new Set(['http', 'https', 'grpc', 'tcp']);

/**
 * Keep the balancer's upstreams equal to the catalog: routes that name a `service` get its
 * instances; with `catalog: true` every service also gets a route by host name
 * `<service>.localhost`. A catalog change applies to the next request — no restart. Instances
 * the catalog holds as critical stay listed but out of rotation.
 */
export async function followCatalog(
  balancer: Balancer,
  store: Store,
  signal: AbortSignal,
  onError: (e: unknown) => void,
): Promise<void> {
  let scheduled: NodeJS.Timeout | undefined;
  const refresh = async (): Promise<void> => {
    try {
      apply(balancer, await store.listInstances(), await store.checkStates());
    } catch (error) {
      onError(error);
    }
  };
  const from = await store.index();
  await refresh();
  for await (const _event of store.watch(from, signal)) {
    // Coalesce bursts (a source sync writes many rows) into one refresh.
    clearTimeout(scheduled);
    scheduled = setTimeout(() => void refresh(), 20);
  }
  clearTimeout(scheduled);
}

export function apply(
  balancer: Balancer,
  instances: Instance[],
  states: Awaited<ReturnType<Store['checkStates']>>,
): void {
  const byService = new Map<string, UpstreamSpec[]>();
  for (const i of instances) {
    if (!routable.has(i.protocol) || i.meta.reachable) continue;
    const id = formatHostPort(i.address, i.port);
    const list = byService.get(i.service) ?? [];
    if (list.some((u) => u.id === id)) continue;
    list.push({
      id,
      address: i.address,
      port: i.port,
      weight: Number(i.meta.weight ?? 1) || 1,
      catalogHealthy: instanceStatus(i, states) !== 'critical',
    });
    byService.set(i.service, list);
  }
  for (const route of balancer.spec.routes) {
    if (route.service) balancer.setUpstreams(route.name, byService.get(route.service) ?? []);
  }
  for (const t of balancer.spec.tcp) {
    if (t.service) balancer.setUpstreams(t.name, byService.get(t.service) ?? []);
  }
  if (!balancer.spec.catalog) return;
  const wanted = new Set<string>();
  for (const [service, upstreams] of byService) {
    const name = `catalog:${service}`;
    wanted.add(name);
    balancer.addRoute({
      name,
      host: `${service.toLowerCase()}.localhost`,
      stripPrefix: false,
      algorithm: 'round-robin',
      upstreams,
      service,
    });
  }
  for (const name of balancer.routeNames())
    if (name.startsWith('catalog:') && !wanted.has(name)) balancer.removeRoute(name);
}
