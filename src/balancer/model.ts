/** What the balancer is told to do; built from flags, a config file, or the catalog. */

export type Algorithm =
  | 'round-robin'
  | 'weighted-round-robin'
  | 'least-conn'
  | 'p2c-ewma'
  | 'consistent-hash';

export interface UpstreamSpec {
  /** Stable id: address:port unless given. */
  id: string;
  address: string;
  port: number;
  weight: number;
  /** From the catalog: its health there (the balancer may also run its own checks). */
  catalogHealthy?: boolean;
  /**
   * The catalog's word for it: `unknown` when never checked or when the last result is older
   * than a few check intervals (nobody is monitoring it), so it is not taken as passing.
   */
  catalogStatus?: 'passing' | 'warning' | 'critical' | 'unknown';
}

export interface HashOn {
  header?: string;
  cookie?: string;
  clientIp?: boolean;
}

export interface ActiveHealth {
  /** HTTP path to GET; undefined means a TCP connect check. */
  path?: string;
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
}

export interface OutlierPolicy {
  /** Consecutive connect errors or 5xx before ejection. */
  consecutiveErrors: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
  /** Never eject more than this share of a pool. */
  maxEjectionPercent: number;
  /** Below this share of healthy upstreams, ignore health and use them all (Envoy's panic mode). */
  panicThresholdPercent: number;
}

export interface CircuitPolicy {
  /** In-flight requests per upstream before it counts as full. */
  maxConcurrent: number;
  /** Requests allowed to wait for a free upstream when all are full; beyond that, fast 503. */
  maxPending: number;
}

export interface RetryPolicy {
  /** Extra attempts on another upstream (idempotent, body-less requests only). */
  attempts: number;
  /** Retries may add at most this share of requests... */
  budgetPercent: number;
  /** ...but at least this many per second. */
  minPerSecond: number;
}

export interface Timeouts {
  connectMs: number;
  /** Upstream response headers. */
  headersMs: number;
  /** Upstream silence while streaming a body. */
  idleMs: number;
  /** Whole exchange. */
  totalMs: number;
  /** Client must send its request headers within this (slowloris). */
  clientHeadersMs: number;
  /** Idle keep-alive client connections are closed after this. */
  clientKeepAliveMs: number;
}

export interface RouteSpec {
  name: string;
  /** Exact host name (without port), or `*.example.test`. */
  host?: string;
  pathPrefix?: string;
  stripPrefix: boolean;
  algorithm: Algorithm;
  hashOn?: HashOn;
  upstreams: UpstreamSpec[];
  /** Catalog service feeding this route's upstreams. */
  service?: string;
  health?: ActiveHealth;
}

export interface TcpRouteSpec {
  name: string;
  listen: { host: string; port: number };
  algorithm: Algorithm;
  upstreams: UpstreamSpec[];
  service?: string;
  health?: ActiveHealth;
}

export interface TlsSpec {
  listen: { host: string; port: number };
  /** Issue certificates from Portico's development CA for these names (SNI). */
  devCa: boolean;
  certFile?: string;
  keyFile?: string;
  redirectHttp: boolean;
}

export interface BalancerSpec {
  listen?: { host: string; port: number };
  admin?: { host: string; port: number; token?: string };
  tls?: TlsSpec;
  routes: RouteSpec[];
  tcp: TcpRouteSpec[];
  /** Route catalog services by host name `<service>.localhost`. */
  catalog: boolean;
  /**
   * Serving processes (`lb serve`) or threads/processes of a generated gateway config; `auto`:
   * one per CPU. Undefined: 1. `--workers` overrides it.
   */
  workers?: number | 'auto';
  trustedProxies: string[];
  timeouts: Timeouts;
  maxHeaderBytes: number;
  outlier: OutlierPolicy;
  circuit: CircuitPolicy;
  retry: RetryPolicy;
  slowStartMs: number;
  /** On SIGTERM/Ctrl-C: how long in-flight requests may take to finish before they are cut. */
  drainTimeoutMs: number;
  /** The balancer's own active check for routes it builds from the catalog. */
  catalogHealth?: ActiveHealth;
  /** Name of a response header telling which upstream answered (off when undefined). */
  upstreamHeader?: string;
  accessLog?: 'stderr' | 'stdout' | { file: string };
}
