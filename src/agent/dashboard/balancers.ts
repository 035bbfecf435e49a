import { request } from 'undici';
import type { BalancerStatus } from '../../balancer/status.js';
import type { DashboardSources } from './sources.js';

type Pool = BalancerStatus['routes'][number] | (BalancerStatus['tcp'][number] & { host?: null });

/**
 * Each balancer named with `--lb-admin`: its routes and upstreams from the admin /status, with
 * the share each upstream should get (its weight over the weights in rotation) next to the share
 * it got, and p50/p99 estimated from the /metrics latency histogram. A balancer that does not
 * answer is listed with the error, never dropped.
 */
export async function buildBalancers(src: DashboardSources) {
  const { fetchStatus } = await import('../../balancer/commands/admin-client.js');
  const balancers = await Promise.all(
    src.balancers.map(async (admin) => {
      try {
        const [status, metrics] = await Promise.all([fetchStatus(admin), fetchMetrics(admin)]);
        const latency = latencyQuantiles(metrics);
        const routes = [
          ...status.routes.map((r) => ({ ...r, kind: 'http' as const })),
          ...status.tcp.map((r) => ({
            ...r,
            kind: 'tcp' as const,
            host: null,
            pathPrefix: null,
            service: null,
          })),
        ];
        return {
          admin,
          reachable: true,
          listen: status.listen,
          startedAt: status.startedAt,
          routes: routes.map((r) => routeView(r, latency)),
        };
      } catch (error) {
        return { admin, reachable: false, error: (error as Error).message, routes: [] };
      }
    }),
  );
  return { project: src.project(), balancers };
}

function routeView(
  r: Pool & { kind: 'http' | 'tcp'; service: string | null; pathPrefix: string | null; host: string | null },
  latency: Map<string, { p50: number | null; p99: number | null }>,
) {
  const inRotationWeight = r.upstreams.filter((u) => u.inRotation).reduce((a, u) => a + u.weight, 0);
  return {
    name: r.name,
    kind: r.kind,
    host: r.host,
    pathPrefix: r.pathPrefix,
    service: r.service,
    algorithm: r.algorithm,
    panic: r.panic,
    panicThresholdPercent: r.panicThresholdPercent,
    ejections: r.ejections,
    ejectedNow: r.ejectedNow,
    recentWindowSeconds: r.recentWindowSeconds,
    upstreams: r.upstreams.map((u) => {
      const l = latency.get(`${r.name}\u0000${u.id}`);
      return {
        id: u.id,
        address: u.address,
        port: u.port,
        weight: u.weight,
        inRotation: u.inRotation,
        ejected: u.ejectedUntil !== null,
        ejections: u.ejections,
        requests: u.requests,
        share: u.recent.requests > 0 ? u.recent.share : u.share,
        expectedShare:
          u.inRotation && inRotationWeight > 0 ? Math.round((u.weight / inRotationWeight) * 1000) / 10 : 0,
        p50Ms: l?.p50 ?? null,
        p99Ms: l?.p99 ?? null,
        errors: u.errors.connect + u.errors.timeout,
        responses5xx: u.responses['5xx'],
      };
    }),
  };
}

async function fetchMetrics(admin: string): Promise<string> {
  const { parseHostPort } = await import('../../core/address.js');
  const { host, port } = parseHostPort(admin);
  const res = await request(`http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`, {
    headersTimeout: 3000,
    bodyTimeout: 3000,
  });
  if (res.statusCode !== 200) {
    await res.body.dump();
    return '';
  }
  return await res.body.text();
}

const bucketLine =
  /^portico_lb_request_duration_seconds_bucket\{(?=[^}]*route="([^"]*)")(?=[^}]*upstream="([^"]*)")(?=[^}]*le="([^"]*)")[^}]*\}\s+([0-9.eE+-]+)/;

/**
 * p50 and p99 per (route, upstream) in ms from the cumulative histogram, interpolating inside
 * the bucket as Prometheus' histogram_quantile does. Null when no request was timed.
 */
export function latencyQuantiles(text: string): Map<string, { p50: number | null; p99: number | null }> {
  const buckets = new Map<string, Array<{ le: number; count: number }>>();
  for (const line of text.split('\n')) {
    const m = bucketLine.exec(line);
    if (!m) continue;
    const key = `${m[1]}\u0000${m[2]}`;
    const list = buckets.get(key) ?? [];
    list.push({ le: m[3] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[3]), count: Number(m[4]) });
    buckets.set(key, list);
  }
  const out = new Map<string, { p50: number | null; p99: number | null }>();
  for (const [key, list] of buckets) {
    list.sort((a, b) => a.le - b.le);
    out.set(key, { p50: quantile(list, 0.5), p99: quantile(list, 0.99) });
  }
  return out;
}

function quantile(list: Array<{ le: number; count: number }>, q: number): number | null {
  const total = list.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const b of list) {
    if (b.count >= rank) {
      // Above the last finite bound there is nothing to interpolate to: report that bound.
      if (!Number.isFinite(b.le)) return Math.round(lower * 1000 * 100) / 100;
      const inBucket = b.count - below;
      const seconds = inBucket > 0 ? lower + ((b.le - lower) * (rank - below)) / inBucket : b.le;
      return Math.round(seconds * 1000 * 100) / 100;
    }
    lower = b.le;
    below = b.count;
  }
  return null;
}
