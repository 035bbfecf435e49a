import { buildBalancers } from '../dashboard/balancers.js';
import { buildInstances } from '../dashboard/instances.js';
import { buildOverview } from '../dashboard/overview.js';
import { buildPorts } from '../dashboard/ports.js';
import { cached, type DashboardSources } from '../dashboard/sources.js';
import { buildTopology } from '../dashboard/topology.js';
import type { Router } from '../http/router.js';

/**
 * Read-only data for the dashboard under /dashboard/data/ — the page's own, unversioned feed, kept
 * outside /api/v1/ (whose every route is in the OpenAPI document). The health report and the socket
 * table are costly, so they are computed at most every few seconds however many pages ask; the
 * catalog views are read fresh (the page re-reads them when an event says something changed).
 */
export function dashboardDataRoutes(router: Router, src: DashboardSources): void {
  const overview = cached(10_000, () => buildOverview(src));
  const ports = cached(3_000, () => buildPorts(src));
  router.add('GET', '/dashboard/data/overview', () => overview());
  router.add('GET', '/dashboard/data/instances', () => buildInstances(src));
  router.add('GET', '/dashboard/data/ports', () => ports());
  router.add('GET', '/dashboard/data/balancers', () => buildBalancers(src));
  router.add('GET', '/dashboard/data/topology', () => buildTopology(src));
}
