import { type CachedBody, type CatalogSnapshot, serializeBody } from '../catalog-snapshot.js';
import { readSnapshot } from '../context.js';
import { buildBalancers } from '../dashboard/balancers.js';
import { buildInstances } from '../dashboard/instances.js';
import { buildOverview } from '../dashboard/overview.js';
import { buildPorts } from '../dashboard/ports.js';
import { cached, type DashboardSources } from '../dashboard/sources.js';
import { buildTopology } from '../dashboard/topology.js';
import type { Router } from '../http/router.js';
import { sendBody } from './cached-read.js';

/**
 * How long one drawing of the instances view (status history replayed per instance) is served
 * for the same catalog version: the hour window it shows moves on with time even when nothing
 * changes. A catalog change draws it again at once.
 */
export const instancesMaxAgeMs = 5_000;

/**
 * Read-only data for the dashboard under /dashboard/data/ — the page's own, unversioned feed, kept
 * outside /api/v1/ (whose every route is in the OpenAPI document). The health report and the socket
 * table are costly, so they are computed at most every few seconds however many pages ask; the
 * instances view (and the topology built on it) is drawn once per catalog version and at most
 * every `instancesMaxAgeMs`, and serialized once for every page that asks (the page re-reads on
 * each event, so a change with several pages open would otherwise replay 5,000 histories each).
 */
export function dashboardDataRoutes(router: Router, src: DashboardSources): void {
  const overview = cached(10_000, () => buildOverview(src));
  const ports = cached(3_000, () => buildPorts(src));
  const instances = drawnInstances(src);
  router.add('GET', '/dashboard/data/overview', () => overview());
  router.add('GET', '/dashboard/data/instances', async ({ req, res }) => {
    sendBody(req, res, await (await instances()).body());
    return undefined;
  });
  router.add('GET', '/dashboard/data/ports', () => ports());
  router.add('GET', '/dashboard/data/balancers', () => buildBalancers(src));
  router.add('GET', '/dashboard/data/topology', async () => buildTopology(src, (await instances()).data));
}

type Drawn = Awaited<ReturnType<typeof buildInstances>>;

interface Drawing {
  snapshot: CatalogSnapshot;
  at: number;
  data: Promise<Drawn>;
  body(): Promise<CachedBody>;
}

/** The instances view of the current catalog version, one drawing kept (never older than the store). */
function drawnInstances(src: DashboardSources): () => Promise<Drawing> {
  let last: Drawing | undefined;
  return async () => {
    const snapshot = await readSnapshot(src.store());
    const now = Date.now();
    if (last && last.snapshot === snapshot && now - last.at < instancesMaxAgeMs) return last;
    const data = buildInstances(src, now, snapshot.views);
    let body: Promise<CachedBody> | undefined;
    const drawing: Drawing = {
      snapshot,
      at: now,
      data,
      body: () => {
        body ??= data.then(serializeBody);
        return body;
      },
    };
    last = drawing;
    // A failed drawing is not kept: the next page tries again.
    data.catch(() => {
      if (last === drawing) last = undefined;
    });
    return drawing;
  };
}
