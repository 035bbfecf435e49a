import type { BalancerSpec, HashOn, RouteSpec, TcpRouteSpec, UpstreamSpec } from '../../balancer/model.js';
import { formatHostPort } from '../../core/address.js';
import {
  certificateFor,
  duration,
  header,
  type RenderOptions,
  safeName,
  type TlsFiles,
} from '../exporter.js';

/** Debian's path of the dynamic stream module (nginx OSS builds it as a module there). */
export const streamModule = '/usr/lib/nginx/modules/ngx_stream_module.so';

/** Connections (client + upstream) one worker may hold open. */
export const workerConnections = 4096;

/** nginx.conf from a BalancerSpec: http routes as servers/locations, TCP routes in `stream`. */
export function renderNginx(spec: BalancerSpec, options: RenderOptions): string {
  const tls = certificateFor(spec, options);
  const run = options.runtimeDir.replace(/\/$/, '');
  const out: string[] = [header('nginx', '#')];
  if (spec.tcp.length > 0) out.push(`load_module ${streamModule};`);
  out.push(
    // As many as lb serve would run for this input (`workers:` / --workers; 1 by default).
    `worker_processes ${spec.workers ?? 1};`,
    `pid ${run}/nginx.pid;`,
    `error_log ${run}/error.log;`,
    // A proxied request holds two of a worker's connections (client and upstream): 1024 would
    // cap a worker at ~500 requests in flight, half of what lb serve admits (circuit 1024).
    // The slots cost ~1 MB per worker and no time per request (bench/exporters).
    `worker_rlimit_nofile ${2 * workerConnections};`,
    '',
    'events {',
    `  worker_connections ${workerConnections};`,
    '}',
    '',
  );
  if (spec.listen || tls) out.push(...http(spec, run, tls), '');
  if (spec.tcp.length > 0) out.push(...stream(spec), '');
  return `${out.join('\n').trimEnd()}\n`;
}

function http(spec: BalancerSpec, run: string, tls: TlsFiles | undefined): string[] {
  const t = spec.timeouts;
  const lines = [
    'http {',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((p) => `  ${p}_temp_path ${run}/${p};`),
    ...accessLog(spec, run),
    `  client_header_timeout ${duration(t.clientHeadersMs)};`,
    `  keepalive_timeout ${duration(t.clientKeepAliveMs)};`,
    `  large_client_header_buffers 4 ${Math.max(1024, spec.maxHeaderBytes)};`,
    '',
    '  # WebSocket: pass Upgrade through, and close (not keep-alive) otherwise.',
    '  map $http_upgrade $connection_upgrade {',
    '    default upgrade;',
    "    '' '';",
    '  }',
    '',
    ...forwardingMaps(spec),
  ];
  if (tls)
    lines.push(
      '  # TLS listener: one certificate (development CA, or tls.cert/tls.key) for every server.',
      `  ssl_certificate ${tls.certFile};`,
      `  ssl_certificate_key ${tls.keyFile};`,
      '',
    );
  const withUpstreams = spec.routes.filter((r) => r.upstreams.length > 0);
  for (const r of withUpstreams) lines.push(...upstreamBlock(`route_${safeName(r.name)}`, r, spec), '');
  const plain = spec.listen ? formatHostPort(spec.listen.host, spec.listen.port) : undefined;
  const secure = spec.tls ? formatHostPort(spec.tls.listen.host, spec.tls.listen.port) : undefined;
  const hosts = [...new Set(spec.routes.map((r) => r.host))];
  // The server without server_name is the default one: host-less routes, and a 404 otherwise.
  if (!hosts.includes(undefined)) hosts.push(undefined);
  for (const host of hosts) {
    lines.push('  server {');
    if (plain) lines.push(`    listen ${plain}${host ? '' : ' default_server'};`);
    if (secure) lines.push(`    listen ${secure} ssl${host ? '' : ' default_server'};`);
    lines.push(`    server_name ${host ?? '_'};`);
    if (plain && spec.tls?.redirectHttp)
      lines.push(
        '    if ($scheme = http) {',
        `      return 308 https://$host${spec.tls.listen.port === 443 ? '' : `:${spec.tls.listen.port}`}$request_uri;`,
        '    }',
      );
    const routes = spec.routes.filter((r) => r.host === host);
    for (const r of routes) lines.push(...location(r, spec));
    if (!routes.some((r) => !r.pathPrefix || r.pathPrefix === '/'))
      lines.push('    location / {', '      return 404;', '    }');
    lines.push('  }', '');
  }
  lines.push('}');
  return lines;
}

/**
 * What `lb serve` does with forwarding headers (src/balancer/headers.ts): from a client that is
 * not in `trustedProxies` they are dropped and set from the connection; a trusted proxy's are
 * extended (X-Forwarded-For, Forwarded) or kept (X-Real-IP, -Proto, -Host). nginx's usual
 * `$proxy_add_x_forwarded_for` would pass on whatever any client planted.
 */
function forwardingMaps(spec: BalancerSpec): string[] {
  const ipv6 = [
    '  # RFC 7239: an IPv6 address is bracketed and quoted.',
    '  map $remote_addr $portico_for {',
    '    "~:" "\\"[$remote_addr]\\"";',
    '    default $remote_addr;',
    '  }',
    '',
  ];
  // Nobody trusted (the default): the values come from the connection, no per-request choice.
  if (spec.trustedProxies.length === 0) return ipv6;
  // A map whose first line takes the client's value (as `$kept`) when the peer is trusted.
  const both = (header: string, variable: string, fromTrusted: string): string[] => [
    `  map "$portico_trusted:${header}" ${variable} {`,
    `    "~^1:(?<kept>.+)$" ${fromTrusted};`,
  ];
  return [
    '  # Forwarding headers: extended or kept only from trustedProxies, else set from the connection.',
    '  geo $portico_trusted {',
    '    default 0;',
    ...spec.trustedProxies.map((cidr) => `    ${cidr} 1;`),
    '  }',
    '  map $portico_trusted $portico_xff {',
    '    1 $proxy_add_x_forwarded_for;',
    '    default $remote_addr;',
    '  }',
    ...both('$http_x_real_ip', '$portico_real_ip', '$kept'),
    '    default $remote_addr;',
    '  }',
    ...both('$http_x_forwarded_proto', '$portico_xfp', '$kept'),
    '    default $scheme;',
    '  }',
    ...both('$http_x_forwarded_host', '$portico_xfh', '$kept'),
    '    default $http_host;',
    '  }',
    ...ipv6.slice(0, -1),
    ...both('$http_forwarded', '$portico_forwarded', '"$kept, for=$portico_for;proto=$scheme"'),
    '    default "for=$portico_for;proto=$scheme";',
    '  }',
    '',
  ];
}

function forwardingHeaders(spec: BalancerSpec): string[] {
  const direct = spec.trustedProxies.length === 0;
  return [
    `      proxy_set_header X-Real-IP ${direct ? '$remote_addr' : '$portico_real_ip'};`,
    `      proxy_set_header X-Forwarded-For ${direct ? '$remote_addr' : '$portico_xff'};`,
    `      proxy_set_header X-Forwarded-Proto ${direct ? '$scheme' : '$portico_xfp'};`,
    `      proxy_set_header X-Forwarded-Host ${direct ? '$http_host' : '$portico_xfh'};`,
    `      proxy_set_header Forwarded ${direct ? '"for=$portico_for;proto=$scheme"' : '$portico_forwarded'};`,
  ];
}

/** X-Forwarded-* headers nobody sets here: cleared, so a client cannot plant them (nginx has no wildcard). */
const plantedForwardingHeaders = [
  'X-Forwarded-Port',
  'X-Forwarded-Prefix',
  'X-Forwarded-Server',
  'X-Forwarded-Ssl',
];

function upstreamBlock(name: string, r: RouteSpec | TcpRouteSpec, spec: BalancerSpec): string[] {
  const hash = 'hashOn' in r ? r.hashOn : undefined;
  const lines = [`  upstream ${name} {`];
  const policy = balance(r.algorithm, hash);
  if (policy) lines.push(`    ${policy};`);
  lines.push(
    '    # nginx OSS has no active health checks (that is NGINX Plus): upstreams are taken out',
    '    # passively, after max_fails failed attempts, for fail_timeout.',
  );
  for (const u of r.upstreams) lines.push(`    server ${server(u)} ${serverParams(u, spec)};`);
  // Idle upstream connections kept per worker: below the number of concurrent clients, nginx
  // closes the extras after each response and reconnects (measured in bench/exporters).
  if (!('listen' in r)) lines.push('    keepalive 128;');
  lines.push('  }');
  return lines;
}

const server = (u: UpstreamSpec): string => formatHostPort(u.address, u.port);

function serverParams(u: UpstreamSpec, spec: BalancerSpec): string {
  return `weight=${u.weight} max_fails=${spec.outlier.consecutiveErrors} fail_timeout=${duration(spec.outlier.baseEjectionMs)}`;
}

function balance(algorithm: RouteSpec['algorithm'], hash: HashOn | undefined): string | undefined {
  if (algorithm === 'least-conn') return 'least_conn';
  // Power of two choices, by connections: nginx OSS has no latency (EWMA) picker.
  if (algorithm === 'p2c-ewma') return 'random two least_conn';
  if (algorithm === 'consistent-hash') {
    if (hash?.header) return `hash $http_${hash.header.toLowerCase().replace(/-/g, '_')} consistent`;
    if (hash?.cookie) return `hash $cookie_${hash.cookie} consistent`;
    return 'hash $remote_addr consistent';
  }
  return undefined;
}

function location(r: RouteSpec, spec: BalancerSpec): string[] {
  const t = spec.timeouts;
  const prefix = r.pathPrefix ?? '/';
  const lines = [`    # route ${r.name}`, `    location ${prefix} {`];
  if (r.upstreams.length === 0) {
    lines.push('      # the catalog has no instance of this service yet', '      return 503;', '    }');
    return lines;
  }
  if (r.stripPrefix && prefix !== '/') {
    const p = prefix.replace(/\/$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    lines.push(`      rewrite ^${p}/?(.*)$ /$1 break;`);
  }
  lines.push(
    `      proxy_pass http://route_${safeName(r.name)};`,
    '      proxy_http_version 1.1;',
    '      proxy_set_header Host $http_host;',
    '      proxy_set_header Upgrade $http_upgrade;',
    '      proxy_set_header Connection $connection_upgrade;',
    ...forwardingHeaders(spec),
    ...plantedForwardingHeaders.map((h) => `      proxy_set_header ${h} "";`),
    `      proxy_connect_timeout ${duration(t.connectMs)};`,
    `      proxy_read_timeout ${duration(Math.max(t.headersMs, t.idleMs))};`,
    `      proxy_send_timeout ${duration(t.idleMs)};`,
    '      # Retries on another upstream; nginx never retries non-idempotent requests (POST, …).',
    '      proxy_next_upstream error timeout http_502 http_503 http_504;',
    `      proxy_next_upstream_tries ${spec.retry.attempts + 1};`,
    `      proxy_next_upstream_timeout ${duration(t.totalMs)};`,
  );
  if (spec.upstreamHeader) lines.push(`      add_header ${spec.upstreamHeader} $upstream_addr always;`);
  lines.push('    }');
  return lines;
}

function stream(spec: BalancerSpec): string[] {
  const lines = ['stream {'];
  for (const t of spec.tcp) {
    const name = `tcp_${safeName(t.name)}`;
    if (t.upstreams.length > 0) lines.push(...upstreamBlock(name, t, spec), '');
    lines.push(
      `  # TCP route ${t.name}`,
      '  server {',
      `    listen ${formatHostPort(t.listen.host, t.listen.port)};`,
    );
    if (t.upstreams.length === 0) lines.push('    return "";');
    else
      lines.push(
        `    proxy_pass ${name};`,
        `    proxy_connect_timeout ${duration(spec.timeouts.connectMs)};`,
        `    proxy_timeout ${duration(spec.timeouts.idleMs)};`,
        '    proxy_next_upstream on;',
        `    proxy_next_upstream_tries ${spec.retry.attempts + 1};`,
      );
    lines.push('  }', '');
  }
  return [...lines.slice(0, lines.at(-1) === '' ? -1 : undefined), '}'];
}

function accessLog(spec: BalancerSpec, run: string): string[] {
  const log = spec.accessLog;
  if (!log) return ['  access_log off;'];
  if (typeof log !== 'string') return [`  access_log ${log.file};`];
  // nginx opens /dev/${log} as a file, which fails when that is a socket (under a supervisor).
  return [
    `  # access log asked for ${log}: nginx writes it to a file; tail it there.`,
    `  access_log ${run}/access.log;`,
  ];
}
