import { tryParseDuration } from '../../core/duration.js';
import type { Finding } from '../finding.js';

/** One server a gateway route sends requests to. */
export interface GatewayUpstream {
  host: string;
  port: number;
  /** The gateway speaks TLS to it (`proxy_pass https://`, HAProxy `ssl`, Caddy `tls` transport). */
  tls?: boolean;
  /** The gateway actively health-checks this server and stops routing to it when it fails. */
  checked?: boolean;
}

/** A gateway route as every reader reports it, whatever the gateway. */
export interface GatewayRoute {
  /** Where it came from: "nginx server api.local location /api", "haproxy backend be_api". */
  name: string;
  hosts: string[];
  pathPrefix: string;
  upstreams: GatewayUpstream[];
  /** Set when the upstreams are chosen at request time (variables, dynamic upstreams): why. */
  dynamic?: string;
  /** How long the gateway waits for response headers before answering 504. */
  readTimeoutMs: number;
  connectTimeoutMs: number;
  /** Whether the gateway itself health-checks these upstreams. */
  activeHealthChecks: boolean;
}

/** Who read the configuration: the gateway's own binary, or Portico's parser (and why). */
export interface GatewayReader {
  /** The command that read or validated it, e.g. "nginx -T", "caddy adapt", "haproxy -c". */
  tool?: string;
  /** True when the routes come from Portico's own parser (even if the binary validated it). */
  parsedByPortico: boolean;
  /** What the reader said that is worth showing (warnings of `haproxy -c`, why Portico parsed it). */
  notes: string[];
}

export interface GatewayConfig {
  kind: 'nginx' | 'haproxy' | 'caddy' | 'portico';
  file: string;
  routes: GatewayRoute[];
  reader: GatewayReader;
  /** Every file the configuration was read from (the main file and its includes). */
  files: string[];
  /** What reading it found wrong or worth saying: rejected config, unreadable include, no binary. */
  problems: Finding[];
}

/** A configuration Portico's own parser read, with nothing wrong found while reading it. */
export function parsedConfig(
  kind: GatewayConfig['kind'],
  file: string,
  routes: GatewayRoute[],
  files: string[],
): GatewayConfig {
  return { kind, file, routes, reader: { parsedByPortico: true, notes: [] }, files, problems: [] };
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

/**
 * "host", "host:port", "[v6]:port", "http://host", "https://host:8443/path" → host and port. A
 * scheme gives the default port (https → 443, http → 80); an explicit port always wins.
 */
export function splitHostPort(text: string, defaultPort: number): GatewayUpstream | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  const tls = scheme === 'https' || scheme === 'wss' || scheme === 'grpcs';
  const fallback = scheme ? (tls ? 443 : 80) : defaultPort;
  const t = text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '');
  const m = /^(\[[^\]]+\]|[^:[\]\s]+)(?::(\d+))?$/.exec(t);
  if (!m) return undefined;
  const port = m[2] ? Number(m[2]) : fallback;
  if (port < 1 || port > 65_535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port, ...(tls ? { tls } : {}) };
}
