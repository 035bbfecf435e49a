import type {
  ActiveHealth,
  BalancerSpec,
  HashOn,
  RouteSpec,
  TcpRouteSpec,
  UpstreamSpec,
} from '../../balancer/model.js';
import { formatHostPort } from '../../core/address.js';
import {
  certificateFor,
  duration,
  header,
  matchOrder,
  type RenderOptions,
  safeName,
  type TlsFiles,
} from '../exporter.js';

/** HAProxy accepts server weights 0–256; Portico's go to 1000, so larger sets are scaled. */
const maxWeight = 256;

/** haproxy.cfg from a BalancerSpec: one HTTP frontend with ACLs, `mode tcp` listeners for TCP routes. */
export function renderHaproxy(spec: BalancerSpec, options: RenderOptions): string {
  const tls = certificateFor(spec, options);
  const run = options.runtimeDir.replace(/\/$/, '');
  const t = spec.timeouts;
  const out: string[] = [
    header('haproxy', '#'),
    'global',
    `  pidfile ${run}/haproxy.pid`,
    ...threads(spec.workers),
    // The listening sockets are handed to the next process on reload (-x), so none is lost.
    `  stats socket ${run}/haproxy.sock mode 600 level admin expose-fd listeners`,
    ...(spec.accessLog ? [`  log ${logTarget(spec.accessLog)} format raw local0`] : []),
    '',
    'defaults',
    '  mode http',
    ...(spec.accessLog ? ['  log global'] : []),
    `  timeout connect ${duration(t.connectMs)}`,
    `  timeout client ${duration(t.idleMs)}`,
    `  timeout server ${duration(Math.max(t.headersMs, t.idleMs))}`,
    `  timeout http-request ${duration(t.clientHeadersMs)}`,
    `  timeout http-keep-alive ${duration(t.clientKeepAliveMs)}`,
    // WebSocket: HAProxy passes Upgrade natively; this bounds the idle tunnel.
    `  timeout tunnel ${duration(t.idleMs)}`,
    `  retries ${spec.retry.attempts}`,
    '  # Retry on another server (redispatch); HAProxy only retries idempotent requests on',
    '  # response errors, and any request whose connection failed.',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response response-timeout 502 503 504',
    '',
  ];
  if (spec.listen || tls) out.push(...frontend(spec, tls), '');
  for (const r of spec.routes) out.push(...backend(backendName(r), r, spec, 'http'), '');
  for (const tcp of spec.tcp) out.push(...tcpListen(tcp, spec), '');
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * `nbthread`: as many threads as lb serve would run workers for this input (1 by default).
 * Left out for `auto`, where HAProxy's own default is one thread per CPU it may run on. Without
 * the line HAProxy 2.x takes every CPU, which on a machine shared with its backends is slower
 * than one thread (bench/exporters), and not what the input asked for.
 */
function threads(workers: BalancerSpec['workers']): string[] {
  if (workers === 'auto')
    return ["  # nbthread: HAProxy's default, one thread per available CPU (workers: auto)"];
  return [`  nbthread ${workers ?? 1}`];
}

function logTarget(log: NonNullable<BalancerSpec['accessLog']>): string {
  // HAProxy logs to syslog or to its own stdout/stderr only, never to a plain file.
  if (log === 'stdout' || log === 'stderr') return log;
  return `stdout # (${log.file}: HAProxy cannot write a file itself; redirect its stdout there)`;
}

/**
 * What `lb serve` does with forwarding headers (src/balancer/headers.ts): a client not in
 * `trustedProxies` cannot plant them (removed, then set from the connection); a trusted
 * proxy's are extended (X-Forwarded-For) or kept. `option forwardfor` alone would keep a
 * planted X-Forwarded-For in front of the one it adds.
 */
function forwarding(spec: BalancerSpec): string[] {
  const trusted = spec.trustedProxies.length > 0 ? `src ${spec.trustedProxies.join(' ')}` : 'always_false';
  return [
    '  # Forwarding headers: extended or kept only from trustedProxies, else set from the connection.',
    `  acl portico_trusted ${trusted}`,
    '  http-request del-header ^x-forwarded- -m reg unless portico_trusted',
    '  http-request del-header forwarded unless portico_trusted',
    '  http-request del-header x-real-ip unless portico_trusted',
    '  option forwardfor',
    '  http-request set-header X-Real-IP %[src] unless { req.hdr(x-real-ip) -m found }',
    '  http-request set-header X-Forwarded-Host %[req.hdr(host)] if { req.hdr(host) -m found } !{ req.hdr(x-forwarded-host) -m found }',
    '  http-request set-header X-Forwarded-Proto http if !{ ssl_fc } !{ req.hdr(x-forwarded-proto) -m found }',
  ];
}

function frontend(spec: BalancerSpec, tls: TlsFiles | undefined): string[] {
  const lines = ['frontend http'];
  if (spec.listen) lines.push(`  bind ${formatHostPort(spec.listen.host, spec.listen.port)}`);
  // crt: the chain and its key in one PEM file.
  if (tls)
    lines.push(
      `  bind ${formatHostPort(spec.tls!.listen.host, spec.tls!.listen.port)} ssl crt ${tls.pemFile}`,
    );
  lines.push(...forwarding(spec));
  if (spec.accessLog) lines.push('  option httplog');
  // Host without its port, for host routes (and the redirect); a regex per request, so only then.
  if (spec.routes.some((r) => r.host) || (tls && spec.listen && spec.tls!.redirectHttp))
    lines.push(
      '  # Host without its port, for host routes.',
      '  http-request set-var(txn.host) req.hdr(host),lower,regsub(:[0-9]+$,)',
    );
  if (tls) {
    const port = spec.tls!.listen.port;
    lines.push(
      '  http-request set-header X-Forwarded-Proto https if { ssl_fc } !{ req.hdr(x-forwarded-proto) -m found }',
    );
    if (spec.listen && spec.tls!.redirectHttp)
      lines.push(
        `  http-request redirect location https://%[var(txn.host)]${port === 443 ? '' : `:${port}`}%[capture.req.uri] code 308 if !{ ssl_fc }`,
      );
  }
  let fallback: string | undefined;
  for (const r of matchOrder(spec.routes)) {
    const name = safeName(r.name);
    const conditions: string[] = [];
    if (r.host) {
      const host = r.host.toLowerCase();
      lines.push(
        host.startsWith('*.')
          ? `  acl host_${name} var(txn.host) -m end ${host.slice(1)}`
          : `  acl host_${name} var(txn.host) -m str ${host}`,
      );
      conditions.push(`host_${name}`);
    }
    if (r.pathPrefix && r.pathPrefix !== '/') {
      lines.push(`  acl path_${name} path_beg ${r.pathPrefix}`);
      conditions.push(`path_${name}`);
    }
    if (conditions.length === 0) fallback ??= name;
    else lines.push(`  use_backend route_${name} if ${conditions.join(' ')}`);
  }
  if (spec.upstreamHeader) lines.push(`  http-response set-header ${spec.upstreamHeader} %[srv_name]`);
  // Not an http-request rule here: those run before any use_backend and would answer everything.
  lines.push(`  default_backend ${fallback ? `route_${fallback}` : 'no_route'}`);
  if (!fallback)
    lines.push(
      '',
      'backend no_route',
      '  http-request return status 404 content-type text/plain string "no route"',
    );
  return lines;
}

function backend(name: string, r: RouteSpec, spec: BalancerSpec, mode: 'http'): string[] {
  const lines = [`backend ${name}`, `  mode ${mode}`, `  balance ${balance(r.algorithm, r.hashOn)}`];
  if (r.algorithm === 'consistent-hash') lines.push('  hash-type consistent');
  if (r.stripPrefix && r.pathPrefix && r.pathPrefix !== '/') {
    const p = r.pathPrefix.replace(/\/$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    lines.push(`  http-request replace-path ^${p}/?(.*) /\\1`);
  }
  if (r.health?.path) lines.push('  option httpchk', `  http-check send meth GET uri ${r.health.path}`);
  lines.push(...servers(r, spec));
  return lines;
}

function tcpListen(t: TcpRouteSpec, spec: BalancerSpec): string[] {
  return [
    `listen ${backendName(t)}`,
    '  mode tcp',
    ...(spec.accessLog ? ['  option tcplog'] : []),
    `  bind ${formatHostPort(t.listen.host, t.listen.port)}`,
    `  balance ${balance(t.algorithm, undefined)}`,
    ...(t.algorithm === 'consistent-hash' ? ['  hash-type consistent'] : []),
    ...(t.health?.path ? ['  option httpchk', `  http-check send meth GET uri ${t.health.path}`] : []),
    ...servers(t, spec),
  ];
}

function servers(r: RouteSpec | TcpRouteSpec, spec: BalancerSpec): string[] {
  const h: ActiveHealth | undefined = r.health;
  const lines = [`  default-server ${serverKeywords(r, spec)}`];
  if (h) lines.push(`  timeout check ${duration(h.timeoutMs)}`);
  const weights = scaledWeights(r.upstreams);
  for (const [i, u] of r.upstreams.entries()) {
    lines.push(
      `  server s${i + 1} ${formatHostPort(u.address, u.port)} weight ${weights[i]}${h ? ' check' : ''} # ${u.id}`,
    );
  }
  return lines;
}

/** The backend a route renders to (lb sync addresses it through the runtime API). */
export const backendName = (r: RouteSpec | TcpRouteSpec): string =>
  'listen' in r ? `tcp_${safeName(r.name)}` : `route_${safeName(r.name)}`;

/**
 * What every server of the route gets (as `default-server`; servers added at runtime do not
 * inherit it in HAProxy 2.6, so lb sync passes the same words to `add server`).
 */
export function serverKeywords(r: RouteSpec | TcpRouteSpec, spec: BalancerSpec): string {
  const h = r.health;
  return (
    `${h ? `inter ${duration(h.intervalMs)} rise ${h.rise} fall ${h.fall} ` : ''}` +
    `observe layer4 error-limit ${spec.outlier.consecutiveErrors} on-error mark-down`
  );
}

/** HAProxy weights (1–256) in the same proportions as Portico's (up to 1000). */
export function scaledWeights(list: UpstreamSpec[]): number[] {
  const top = Math.max(...list.map((u) => u.weight), 1);
  const scale = top > maxWeight ? maxWeight / top : 1;
  return list.map((u) => Math.max(1, Math.round(u.weight * scale)));
}

function balance(algorithm: RouteSpec['algorithm'], hash: HashOn | undefined): string {
  if (algorithm === 'least-conn' || algorithm === 'p2c-ewma') return 'leastconn';
  if (algorithm === 'consistent-hash') {
    if (hash?.header) return `hdr(${hash.header})`;
    if (hash?.cookie) return `hash req.cook(${hash.cookie})`;
    return 'source';
  }
  return 'roundrobin';
}
