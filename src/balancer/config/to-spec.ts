import { isLoopbackAddress } from '../../core/address.js';
import { PorticoError } from '../../core/errors.js';
import type { ActiveHealth, BalancerSpec, UpstreamSpec } from '../model.js';
import { resolveAdminToken } from './admin-token.js';
import type { BalancerConfig } from './schema.js';

type RawUpstream = { address: string; port: number; weight: number; id?: string };
type RawHealth =
  | false
  | { path?: string | undefined; interval: number; timeout: number; rise: number; fall: number }
  | undefined;

function upstreams(list: RawUpstream[]): UpstreamSpec[] {
  return list.map((u) => ({
    id: u.id ?? `${u.address.includes(':') ? `[${u.address}]` : u.address}:${u.port}`,
    address: u.address,
    port: u.port,
    weight: u.weight,
  }));
}

function health(route: RawHealth, defaults: RawHealth, http: boolean): ActiveHealth | undefined {
  const h = route ?? defaults;
  if (h === false || h === undefined) return undefined;
  return {
    ...(http && h.path ? { path: h.path } : {}),
    intervalMs: h.interval,
    timeoutMs: Math.min(h.timeout, h.interval),
    rise: h.rise,
    fall: h.fall,
  };
}

export interface SpecOptions {
  /**
   * Resolve `admin.tokenEnv` / `admin.tokenFile` now (the balancer itself). Readers that only
   * look at routes (the gateway diagnosis) leave it out: a token source counts as a token.
   */
  tokens?: { env: NodeJS.ProcessEnv; baseDir: string };
}

/** Validated config → the balancer's spec; cross-field rules (admin exposure) are checked here. */
export function configToSpec(config: BalancerConfig, options: SpecOptions = {}): BalancerSpec {
  let admin: { host: string; port: number; token?: string } | undefined;
  let hasToken = false;
  if (config.admin !== undefined && 'listen' in config.admin) {
    const a = config.admin;
    const token = options.tokens
      ? resolveAdminToken(a, {
          ...options.tokens,
          names: { env: 'admin.tokenEnv', file: 'admin.tokenFile' },
        })
      : a.token;
    admin = { ...a.listen, ...(token ? { token } : {}) };
    hasToken = Boolean(token ?? a.tokenEnv ?? a.tokenFile);
  } else if (config.admin !== undefined) {
    admin = config.admin;
  }
  if (admin && !isLoopbackAddress(admin.host) && !hasToken) {
    throw new PorticoError(
      'E_LB_CONFIG',
      `the admin endpoint on ${admin.host} would be reachable from the network without a token`,
      {
        hint: 'Keep it on 127.0.0.1, or require a bearer token (16+ characters): admin.tokenEnv or admin.tokenFile in the file, --admin-token-env or --admin-token-file on the command line.',
      },
    );
  }
  return {
    ...(config.listen ? { listen: config.listen } : {}),
    ...(admin ? { admin } : {}),
    ...(config.tls
      ? {
          tls: {
            listen: config.tls.listen,
            devCa: config.tls.devCa && !config.tls.cert,
            ...(config.tls.cert ? { certFile: config.tls.cert } : {}),
            ...(config.tls.key ? { keyFile: config.tls.key } : {}),
            redirectHttp: config.tls.redirectHttp,
          },
        }
      : {}),
    routes: config.routes.map((r) => ({
      name: r.name,
      ...(r.host ? { host: r.host.toLowerCase() } : {}),
      ...(r.pathPrefix ? { pathPrefix: r.pathPrefix } : {}),
      stripPrefix: r.stripPrefix,
      algorithm: r.algorithm,
      ...(r.hashOn ? { hashOn: r.hashOn } : {}),
      upstreams: upstreams(r.upstreams),
      ...(r.service ? { service: r.service } : {}),
      ...(health(r.healthCheck, config.healthCheck, true)
        ? { health: health(r.healthCheck, config.healthCheck, true)! }
        : {}),
    })),
    tcp: config.tcp.map((t) => ({
      name: t.name,
      listen: t.listen,
      algorithm: t.algorithm,
      upstreams: upstreams(t.upstreams),
      ...(t.service ? { service: t.service } : {}),
      ...(health(t.healthCheck, config.healthCheck, false)
        ? { health: health(t.healthCheck, config.healthCheck, false)! }
        : {}),
    })),
    catalog: config.catalog,
    ...(config.workers !== undefined ? { workers: config.workers } : {}),
    trustedProxies: config.trustedProxies,
    timeouts: {
      connectMs: config.timeouts.connect,
      headersMs: config.timeouts.headers,
      idleMs: config.timeouts.idle,
      totalMs: config.timeouts.total,
      clientHeadersMs: config.timeouts.clientHeaders,
      clientKeepAliveMs: config.timeouts.clientKeepAlive,
    },
    maxHeaderBytes: config.maxHeaderBytes,
    outlier: {
      consecutiveErrors: config.outlier.consecutiveErrors,
      baseEjectionMs: config.outlier.baseEjection,
      maxEjectionMs: config.outlier.maxEjection,
      maxEjectionPercent: config.outlier.maxEjectionPercent,
      panicThresholdPercent: config.outlier.panicThreshold,
    },
    circuit: config.circuit,
    retry: config.retry,
    slowStartMs: config.slowStart,
    drainTimeoutMs: config.drainTimeout,
    ...(health(undefined, config.healthCheck, true)
      ? { catalogHealth: health(undefined, config.healthCheck, true)! }
      : {}),
    ...(config.upstreamHeader ? { upstreamHeader: config.upstreamHeader } : {}),
    ...(config.accessLog !== 'off' ? { accessLog: config.accessLog } : {}),
  };
}
