import { apply, type CatalogTarget } from '../balancer/catalog.js';
import type { BalancerSpec, RouteSpec, UpstreamSpec } from '../balancer/model.js';
import type { Store } from '../store/store.js';

/**
 * The spec with the catalog's instances filled in, exactly as `lb serve --catalog` would route
 * them now (the same `apply`): routes naming a `service` get its instances, and with
 * `catalog: true` each service gets a `<service>.localhost` route. A generated file is a
 * snapshot: instances the catalog holds as critical are left out (all of them kept, when all
 * are critical, as the balancer's panic mode would).
 */
export async function specFromCatalog(spec: BalancerSpec, store: Store): Promise<BalancerSpec> {
  const copy: BalancerSpec = structuredClone(spec);
  const sink: CatalogTarget = {
    spec: copy,
    setUpstreams(name, upstreams) {
      for (const r of [...copy.routes, ...copy.tcp]) if (r.name === name) r.upstreams = upstreams;
    },
    addRoute(route: RouteSpec) {
      copy.routes = [...copy.routes.filter((r) => r.name !== route.name), route];
    },
    removeRoute(name) {
      copy.routes = copy.routes.filter((r) => r.name !== name);
    },
    routeNames: () => copy.routes.map((r) => r.name),
  };
  apply(sink, await store.listInstances(), await store.checkStates());
  const live = (list: UpstreamSpec[]): UpstreamSpec[] => {
    const up = list.filter((u) => u.catalogHealthy !== false);
    return up.length > 0 ? up : list;
  };
  for (const r of copy.routes) r.upstreams = live(r.upstreams);
  for (const t of copy.tcp) t.upstreams = live(t.upstreams);
  // Host names first, stable: the same catalog gives the same file.
  const isCatalog = (r: RouteSpec): number => Number(r.name.startsWith('catalog:'));
  copy.routes.sort((a, b) =>
    isCatalog(a) && isCatalog(b) ? a.name.localeCompare(b.name) : isCatalog(a) - isCatalog(b),
  );
  return copy;
}
