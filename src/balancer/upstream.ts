import type { Pool } from 'undici';
import type { UpstreamConnections } from './h1/upstream-connections.js';
import type { UpstreamSpec } from './model.js';

/** Latency histogram bucket bounds, seconds (Prometheus convention). */
export const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One upstream of one pool, with everything the hot path needs as plain fields: counters are
 * incremented in place and read by the metrics collector at scrape time, never per request.
 */
export class Upstream {
  readonly id: string;
  readonly address: string;
  readonly port: number;
  weight: number;
  /** HTTP connection pool for requests Node's server reads (HTTP routes only). */
  dispatcher: Pool | undefined;
  /** Kept-alive connections of the fast HTTP/1.1 path (HTTP routes only). */
  connections: UpstreamConnections | undefined;

  /** In-flight requests (HTTP) or open connections (TCP). */
  active = 0;
  /** Exponentially weighted moving average of response time, ms (0 = no sample yet). */
  ewmaMs = 0;

  /** Active health checks say it answers (true until they say otherwise). */
  activeHealthy = true;
  /** The catalog says it is not critical. */
  catalogHealthy = true;
  /** The catalog's status (undefined when the upstream does not come from the catalog). */
  catalogStatus: UpstreamSpec['catalogStatus'];
  consecutiveFailures = 0;
  ejectedUntil = 0;
  ejections = 0;
  totalEjections = 0;
  /** Since when it has been back in rotation (slow start ramps from here). */
  upSince = 0;
  /** Smooth weighted round-robin state. */
  currentWeight = 0;

  requests = 0;
  responses2xx = 0;
  responses3xx = 0;
  responses4xx = 0;
  responses5xx = 0;
  connectErrors = 0;
  timeouts = 0;
  retries = 0;
  readonly latencyCounts = new Array<number>(latencyBuckets.length + 1).fill(0);
  latencySum = 0;

  constructor(spec: UpstreamSpec) {
    this.id = spec.id;
    this.address = spec.address;
    this.port = spec.port;
    this.weight = spec.weight;
    this.catalogHealthy = spec.catalogHealthy ?? true;
    this.catalogStatus = spec.catalogStatus;
  }

  available(now: number): boolean {
    return this.activeHealthy && this.catalogHealthy && this.ejectedUntil <= now;
  }

  /** 0.1 → 1 over the slow-start window after it came back, so a cold instance isn't flooded. */
  slowStartFactor(now: number, slowStartMs: number): number {
    if (slowStartMs <= 0 || this.upSince === 0) return 1;
    const elapsed = now - this.upSince;
    return elapsed >= slowStartMs ? 1 : Math.max(0.1, elapsed / slowStartMs);
  }

  observe(ms: number, status: number): void {
    this.ewmaMs = this.ewmaMs === 0 ? ms : this.ewmaMs * 0.8 + ms * 0.2;
    if (status < 300) this.responses2xx++;
    else if (status < 400) this.responses3xx++;
    else if (status < 500) this.responses4xx++;
    else this.responses5xx++;
    const seconds = ms / 1000;
    this.latencySum += seconds;
    let i = 0;
    while (i < latencyBuckets.length && seconds > latencyBuckets[i]!) i++;
    this.latencyCounts[i]!++;
  }
}
