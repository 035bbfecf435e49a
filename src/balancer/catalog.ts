import { formatHostPort } from '../core/address.js';
import type { CheckState, Instance } from '../core/model.js';
import { type InstanceStatus, instanceStatus } from '../discovery/status.js';
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
  // A reloaded config may name new services: fill them now, not at the next catalog change.
  balancer.onReload(() => void refresh());
  for await (const _event of store.watch(from, signal)) {
    // Coalesce bursts (a source sync writes many rows) into one refresh.
    clearTimeout(scheduled);
    scheduled = setTimeout(() => void refresh(), 20);
  }
  clearTimeout(scheduled);
}

/** A status older than this many check intervals says nothing about now. */
export const staleAfterIntervals = 3;

/**
 * The catalog's status of an instance, as far as it is still true: a check whose last result
 * is older than a few intervals (the monitor stopped, or nobody runs one) counts as unknown —
 * never as passing, and never as a critical that would keep a live instance out forever.
 */
export function currentStatus(instance: Instance, states: CheckState[], now = Date.now()): InstanceStatus {
  const fresh = states.filter((s) => {
    if (s.instanceId !== instance.id) return true;
    const check = instance.checks.find((c) => c.id === s.checkId);
    if (!check) return true;
    const interval = check.kind === 'ttl' ? check.ttlMs : check.intervalMs;
    const last = s.lastResult?.at ?? s.since;
    return now - last <= staleAfterIntervals * interval;
  });
  return instanceStatus(instance, fresh);
}

/** What `apply` changes: a running balancer, or a spec being exported (src/exporters). */
export type CatalogTarget = Pick<
  Balancer,
  'spec' | 'setUpstreams' | 'addRoute' | 'removeRoute' | 'routeNames'
>;

export function apply(
  balancer: CatalogTarget,
  instances: Instance[],
  states: CheckState[],
  now = Date.now(),
): void {
  const byService = new Map<string, UpstreamSpec[]>();
  for (const i of instances) {
    if (!routable.has(i.protocol) || i.meta.reachable) continue;
    const id = formatHostPort(i.address, i.port);
    const list = byService.get(i.service) ?? [];
    if (list.some((u) => u.id === id)) continue;
    const status = currentStatus(i, states, now);
    list.push({
      id,
      address: i.address,
      port: i.port,
      weight: Number(i.meta.weight ?? 1) || 1,
      // Unknown keeps it in the pool, where the balancer's own active check decides.
      catalogHealthy: status !== 'critical',
      catalogStatus: status,
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
      // The balancer checks catalog instances itself too: the catalog may be stale or unknown.
      ...(balancer.spec.catalogHealth ? { health: balancer.spec.catalogHealth } : {}),
    });
  }
  for (const name of balancer.routeNames())
    if (name.startsWith('catalog:') && !wanted.has(name)) balancer.removeRoute(name);
}
