import type { Balancer } from './balancer.js';
import type { UpstreamPool } from './pool.js';

/** The admin /status document (and `portico lb status`). */
export function buildStatus(b: Balancer) {
  const now = Date.now();
  const pool = (p: UpstreamPool) => {
    const total = p.upstreams.reduce((n, u) => n + u.requests, 0);
    return {
      algorithm: p.algorithm,
      panic: p.panic,
      pending: p.pendingCount,
      ejections: p.ejectionsTotal,
      upstreams: p.upstreams.map((u) => ({
        id: u.id,
        address: u.address,
        port: u.port,
        weight: u.weight,
        inRotation: u.available(now),
        activeHealthy: u.activeHealthy,
        catalogHealthy: u.catalogHealthy,
        ejectedUntil: u.ejectedUntil > now ? new Date(u.ejectedUntil).toISOString() : null,
        ejections: u.totalEjections,
        active: u.active,
        requests: u.requests,
        share: total > 0 ? Math.round((u.requests / total) * 10000) / 100 : 0,
        responses: {
          '2xx': u.responses2xx,
          '3xx': u.responses3xx,
          '4xx': u.responses4xx,
          '5xx': u.responses5xx,
        },
        errors: { connect: u.connectErrors, timeout: u.timeouts },
        retries: u.retries,
        ewmaMs: Math.round(u.ewmaMs * 100) / 100,
      })),
    };
  };
  return {
    startedAt: new Date(b.startedAt).toISOString(),
    listen: {
      http: b.addresses.http ? `${b.addresses.http.address}:${b.addresses.http.port}` : null,
      https: b.addresses.https ? `${b.addresses.https.address}:${b.addresses.https.port}` : null,
      tcp: Object.fromEntries(Object.entries(b.addresses.tcp).map(([k, a]) => [k, `${a.address}:${a.port}`])),
    },
    routes: b.httpRoutes().map((r) => ({
      name: r.spec.name,
      host: r.spec.host ?? null,
      pathPrefix: r.spec.pathPrefix ?? null,
      service: r.spec.service ?? null,
      ...pool(r.pool),
    })),
    tcp: b.tcpRoutes().map(([name, p]) => ({ name, ...pool(p) })),
  };
}

export type BalancerStatus = ReturnType<typeof buildStatus>;
