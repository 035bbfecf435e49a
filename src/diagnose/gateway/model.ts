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

/** "60s", "1m", "500ms", "30" (seconds) → ms; nginx and HAProxy share this syntax closely enough. */
export function gatewayDuration(value: string | undefined, fallbackMs: number, bareUnitMs = 1000): number {
  if (!value) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) return fallbackMs;
  const unit = m[2] ? { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]]! : bareUnitMs;
  return Number(m[1]) * unit;
}

export function splitHostPort(text: string, defaultPort: number): { host: string; port: number } | undefined {
  const t = text.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(t);
  if (!m) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : defaultPort };
}
