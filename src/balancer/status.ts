import type { Balancer } from './balancer.js';
import type { UpstreamPool } from './pool.js';

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** The admin /status document (and `portico lb status`, `portico lb test`). */
export function buildStatus(b: Balancer) {
  const now = Date.now();
  const pool = (p: UpstreamPool) => {
    const total = p.upstreams.reduce((n, u) => n + u.requests, 0);
    const recent = b.shares.recent(p, now);
    const recentTotal = [...recent.requests.values()].reduce((a, n) => a + n, 0);
    const slowStartMs = p.policies.slowStartMs;
    const healthy = p.upstreams.filter((u) => u.available(now)).length;
    return {
      algorithm: p.algorithm,
      /** Too few upstreams are healthy, so every upstream gets traffic (Envoy's panic mode). */
      panic:
        p.upstreams.length > 0 &&
        (healthy * 100) / p.upstreams.length < p.policies.outlier.panicThresholdPercent,
      panicThresholdPercent: p.policies.outlier.panicThresholdPercent,
      pending: p.pendingCount,
      ejections: p.ejectionsTotal,
      ejectedNow: p.upstreams.filter((u) => u.ejectedUntil > now).length,
      slowStartMs,
      /** Length of the recent window the `recent` shares cover (the last minute once up that long). */
      recentWindowSeconds: Math.round(recent.windowMs / 1000),
      upstreams: p.upstreams.map((u) => {
        const factor = u.slowStartFactor(now, slowStartMs);
        const recentRequests = recent.requests.get(u.id) ?? 0;
        return {
          id: u.id,
          address: u.address,
          port: u.port,
          weight: u.weight,
          inRotation: u.available(now),
          activeHealthy: u.activeHealthy,
          catalogHealthy: u.catalogHealthy,
          catalogStatus: u.catalogStatus ?? null,
          ejectedUntil: u.ejectedUntil > now ? new Date(u.ejectedUntil).toISOString() : null,
          ejections: u.totalEjections,
          /** Warming up after coming back: its share of traffic ramps up until this time. */
          slowStart:
            factor < 1 && u.available(now)
              ? {
                  percent: Math.round(factor * 100),
                  until: new Date(u.upSince + slowStartMs).toISOString(),
                }
              : null,
          active: u.active,
          requests: u.requests,
          share: total > 0 ? round2((u.requests / total) * 100) : 0,
          recent: {
            requests: recentRequests,
            share: recentTotal > 0 ? round2((recentRequests / recentTotal) * 100) : 0,
          },
          responses: {
            '2xx': u.responses2xx,
            '3xx': u.responses3xx,
            '4xx': u.responses4xx,
            '5xx': u.responses5xx,
          },
          errors: { connect: u.connectErrors, timeout: u.timeouts },
          retries: u.retries,
          ewmaMs: round2(u.ewmaMs),
        };
      }),
    };
  };
  return {
    startedAt: new Date(b.startedAt).toISOString(),
    now: new Date(now).toISOString(),
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
