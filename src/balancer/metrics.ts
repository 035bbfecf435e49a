import { collectDefaultMetrics, Registry } from './lean-deps.js';
import type { UpstreamPool } from './pool.js';
import { latencyBuckets, type Upstream } from './upstream.js';

type Value = { labels: Record<string, string | number>; value: number; metricName?: string };

/**
 * Prometheus metrics computed at scrape time from the counters each Upstream keeps in plain
 * fields. Nothing touches the registry per request: label lookups and hashing there would cost
 * more than proxying a small response.
 */
export function createMetrics(pools: () => Array<{ route: string; pool: UpstreamPool }>): Registry {
  const registry = new Registry();
  // prom-client's default metric names already start with process_ / nodejs_: the prefix is only
  // the namespace (portico_lb_process_cpu_seconds_total, not portico_lb_process_process_…).
  collectDefaultMetrics({ register: registry, prefix: 'portico_lb_' });
  const each = (fn: (route: string, pool: UpstreamPool, u: Upstream) => Value[]): Value[] =>
    pools().flatMap(({ route, pool }) => pool.upstreams.flatMap((u) => fn(route, pool, u)));
  const metric = (
    name: string,
    help: string,
    type: 'counter' | 'gauge' | 'histogram',
    values: () => Value[],
    // How `lb serve --workers` combines the workers' values (prom-client's cluster aggregator).
    aggregator: 'sum' | 'min' | 'max' = 'sum',
  ) => ({
    name,
    help,
    type,
    aggregator,
    get: async () => ({ name, help, type, values: values(), aggregator }),
  });
  const add = (m: ReturnType<typeof metric>): void => registry.registerMetric(m as never);

  add(
    metric(
      'portico_lb_requests_total',
      'Responses sent to clients, by upstream and status class.',
      'counter',
      () =>
        each((route, _p, u) =>
          (['2xx', '3xx', '4xx', '5xx'] as const).map((code) => ({
            labels: { route, upstream: u.id, code },
            value: {
              '2xx': u.responses2xx,
              '3xx': u.responses3xx,
              '4xx': u.responses4xx,
              '5xx': u.responses5xx,
            }[code],
          })),
        ),
    ),
  );
  add(
    metric('portico_lb_upstream_errors_total', 'Failed attempts to an upstream, by kind.', 'counter', () =>
      each((route, _p, u) => [
        { labels: { route, upstream: u.id, kind: 'connect' }, value: u.connectErrors },
        { labels: { route, upstream: u.id, kind: 'timeout' }, value: u.timeouts },
      ]),
    ),
  );
  add(
    metric('portico_lb_retries_total', 'Requests retried on another upstream.', 'counter', () =>
      each((route, _p, u) => [{ labels: { route, upstream: u.id }, value: u.retries }]),
    ),
  );
  add(
    metric(
      'portico_lb_ejections_total',
      'Times passive health checking ejected an upstream.',
      'counter',
      () => each((route, _p, u) => [{ labels: { route, upstream: u.id }, value: u.totalEjections }]),
    ),
  );
  add(
    metric(
      'portico_lb_upstream_healthy',
      '1 when the upstream is in rotation.',
      'gauge',
      () => {
        const now = Date.now();
        return each((route, _p, u) => [
          { labels: { route, upstream: u.id }, value: u.available(now) ? 1 : 0 },
        ]);
      },
      'min',
    ), // in rotation in every worker
  );
  add(
    metric('portico_lb_upstream_active', 'In-flight requests or open connections.', 'gauge', () =>
      each((route, _p, u) => [{ labels: { route, upstream: u.id }, value: u.active }]),
    ),
  );
  add(
    metric(
      'portico_lb_circuit_open',
      '1 when every upstream of the route is at its concurrency limit.',
      'gauge',
      () =>
        pools().map(({ route, pool }) => ({
          labels: { route },
          value:
            pool.upstreams.length > 0 &&
            pool.upstreams.every((u) => u.active >= pool.policies.circuit.maxConcurrent)
              ? 1
              : 0,
        })),
      'max',
    ),
  );
  add(
    metric(
      'portico_lb_request_duration_seconds',
      'Upstream response time (to the end of the body).',
      'histogram',
      () =>
        each((route, _p, u) => {
          const labels = { route, upstream: u.id };
          const values: Value[] = [];
          let cumulative = 0;
          latencyBuckets.forEach((le, i) => {
            cumulative += u.latencyCounts[i]!;
            values.push({
              labels: { ...labels, le },
              value: cumulative,
              metricName: 'portico_lb_request_duration_seconds_bucket',
            });
          });
          cumulative += u.latencyCounts[latencyBuckets.length]!;
          values.push({
            labels: { ...labels, le: '+Inf' },
            value: cumulative,
            metricName: 'portico_lb_request_duration_seconds_bucket',
          });
          values.push({ labels, value: u.latencySum, metricName: 'portico_lb_request_duration_seconds_sum' });
          values.push({ labels, value: cumulative, metricName: 'portico_lb_request_duration_seconds_count' });
          return values;
        }),
    ),
  );
  return registry;
}
