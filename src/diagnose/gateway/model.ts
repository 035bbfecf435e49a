import { tryParseDuration } from '../../core/duration.js';

/** A gateway route as every reader reports it, whatever the gateway. */
export interface GatewayRoute {
  /** Where it came from: "nginx server api.local location /api", "haproxy backend be_api". */
  name: string;
  hosts: string[];
  pathPrefix: string;
  upstreams: Array<{ host: string; port: number }>;
  /** How long the gateway waits for response headers before answering 504. */
  readTimeoutMs: number;
  connectTimeoutMs: number;
  /** Whether the gateway itself health-checks these upstreams. */
  activeHealthChecks: boolean;
}

export interface GatewayConfig {
  kind: 'nginx' | 'haproxy' | 'caddy' | 'portico';
  file: string;
  routes: GatewayRoute[];
}

/**
 * A gateway timeout ("60s", "1m", "1h 30m", "500ms") → ms, through the one duration parser
 * (core/duration.ts). A bare number means `bareUnitMs`: seconds for nginx, 1 (milliseconds) for
 * HAProxy, whose units (us…d) are then used.
 */
export function gatewayDuration(value: string | undefined, fallbackMs: number, bareUnitMs = 1000): number {
  if (!value) return fallbackMs;
  const syntax = bareUnitMs === 1 ? 'haproxy' : 'nginx';
  return tryParseDuration(value, { syntax, bareUnit: bareUnitMs === 1 ? 'ms' : 's' }) ?? fallbackMs;
}

export function splitHostPort(text: string, defaultPort: number): { host: string; port: number } | undefined {
  const t = text.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(t);
  if (!m) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : defaultPort };
}
