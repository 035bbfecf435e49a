import type { BalancerSpec, HashOn, RouteSpec } from '../../balancer/model.js';
import { formatHostPort } from '../../core/address.js';
import {
  certificateFor,
  duration,
  header,
  matchOrder,
  type RenderOptions,
  safeName,
  type TlsFiles,
  unsupported,
} from '../exporter.js';

/**
 * A Caddyfile from a BalancerSpec. Caddy 2.6 has no weighted picker (weighted_round_robin came
 * in 2.7), so an upstream of weight w is listed w times under round_robin: the same share.
 */
export function renderCaddy(spec: BalancerSpec, options: RenderOptions): string {
  const tls = certificateFor(spec, options);
  if (spec.tcp.length > 0)
    throw unsupported(
      'caddy',
      `TCP routes (${spec.tcp.map((t) => t.name).join(', ')}): standard Caddy has no layer-4 proxy`,
      'Generate the TCP routes for nginx or haproxy, or serve them with portico lb serve.',
    );
  const run = options.runtimeDir.replace(/\/$/, '');
  const admin = spec.admin ? formatHostPort(spec.admin.host, spec.admin.port) : 'off';
  const out = [
    header('caddy', '#'),
    '{',
    `  # Caddy's admin API (used by caddy reload and portico lb deploy); not Portico's /status.`,
    `  admin ${admin}`,
    '  auto_https off',
    `  storage file_system ${run}/data`,
    '  servers {',
    `    timeouts {`,
    `      read_header ${duration(spec.timeouts.clientHeadersMs)}`,
    `      idle ${duration(spec.timeouts.clientKeepAliveMs)}`,
    '    }',
    `    max_header_size ${spec.maxHeaderBytes}`,
    '  }',
    '}',
    '',
  ];
  if (spec.listen) out.push(...site(spec, 'http', tls), '');
  if (tls) out.push(...site(spec, 'https', tls));
  return `${out.join('\n').trimEnd()}\n`;
}

/** One site per listener; the HTTPS one repeats the routes (or the HTTP one redirects). */
function site(spec: BalancerSpec, scheme: 'http' | 'https', tls: TlsFiles | undefined): string[] {
  const listen = scheme === 'http' ? spec.listen! : spec.tls!.listen;
  const lines = [`${scheme}://:${listen.port} {`, `  bind ${listen.host}`];
  if (scheme === 'https' && tls) lines.push(`  tls ${tls.certFile} ${tls.keyFile}`);
  if (scheme === 'http' && spec.tls?.redirectHttp) {
    const port = spec.tls.listen.port;
    lines.push(`  redir https://{host}${port === 443 ? '' : `:${port}`}{uri} 308`, '}');
    return lines;
  }
  if (spec.accessLog) {
    const log = spec.accessLog;
    lines.push(
      '  log {',
      `    output ${typeof log === 'string' ? log : `file ${log.file}`}`,
      '    format json',
      '  }',
    );
  }
  for (const r of matchOrder(spec.routes)) {
    const name = safeName(r.name);
    const matchers: string[] = [];
    if (r.host) matchers.push(`host ${r.host}`);
    const prefix = r.pathPrefix && r.pathPrefix !== '/' ? r.pathPrefix.replace(/\/$/, '') : undefined;
    if (prefix) matchers.push(`path ${prefix} ${prefix}/*`);
    lines.push('', `  # route ${r.name}`);
    if (matchers.length > 0) {
      lines.push(`  @${name} {`, ...matchers.map((m) => `    ${m}`), '  }');
    }
    lines.push(`  handle${matchers.length > 0 ? ` @${name}` : ''} {`);
    if (r.stripPrefix && prefix) lines.push(`    uri strip_prefix ${prefix}`);
    lines.push(...proxy(r, spec), '  }');
  }
  if (!spec.routes.some((r) => !r.host && (!r.pathPrefix || r.pathPrefix === '/')))
    lines.push('', '  handle {', '    respond "no route" 404', '  }');
  lines.push('}');
  return lines;
}

/** X-Forwarded-* headers Caddy does not set: removed, so a client cannot plant them. */
const plantedForwardingHeaders = [
  'X-Forwarded-Port',
  'X-Forwarded-Prefix',
  'X-Forwarded-Server',
  'X-Forwarded-Ssl',
];

function proxy(r: RouteSpec, spec: BalancerSpec): string[] {
  if (r.upstreams.length === 0)
    return ['    # the catalog has no instance of this service yet', '    respond 503'];
  const to = r.upstreams.flatMap((u) => Array(u.weight).fill(formatHostPort(u.address, u.port)) as string[]);
  const t = spec.timeouts;
  const lines = [
    `    reverse_proxy ${to.join(' ')} {`,
    `      lb_policy ${policy(r.algorithm, r.hashOn)}`,
    '      # Retry on another upstream while connecting fails, for up to this long.',
    `      lb_try_duration ${duration(Math.max(t.connectMs, 1000) * (spec.retry.attempts + 1))}`,
    '      lb_try_interval 50ms',
  ];
  if (r.health?.path) {
    lines.push(
      `      health_uri ${r.health.path}`,
      `      health_interval ${duration(r.health.intervalMs)}`,
      `      health_timeout ${duration(r.health.timeoutMs)}`,
    );
  } else if (r.health) {
    lines.push(
      '      # No active check: Portico checks this route by TCP connect; Caddy 2.6 checks by HTTP only.',
    );
  }
  lines.push(
    '      # Passive: failed requests take an upstream out for fail_duration.',
    `      fail_duration ${duration(spec.outlier.baseEjectionMs)}`,
    `      max_fails ${spec.outlier.consecutiveErrors}`,
    '      unhealthy_status 5xx',
    '      transport http {',
    `        dial_timeout ${duration(t.connectMs)}`,
    `        response_header_timeout ${duration(t.headersMs)}`,
    '      }',
  );
  lines.push(
    '      # Caddy sets X-Forwarded-For/-Proto/-Host (trusting only trusted_proxies), not these: a',
    "      # client could plant them. X-Real-IP is the peer (a trusted proxy's own is not kept, unlike lb serve).",
    '      header_up X-Real-IP {http.request.remote.host}',
    // Caddy 2.6: a reverse_proxy option (a server option from 2.7 on).
    ...(spec.trustedProxies.length > 0 ? [`      trusted_proxies ${spec.trustedProxies.join(' ')}`] : []),
    '      header_up -Forwarded',
    ...plantedForwardingHeaders.map((h) => `      header_up -${h}`),
  );
  if (spec.upstreamHeader)
    lines.push(`      header_down +${spec.upstreamHeader} {http.reverse_proxy.upstream.hostport}`);
  lines.push('    }');
  return lines;
}

function policy(algorithm: RouteSpec['algorithm'], hash: HashOn | undefined): string {
  if (algorithm === 'least-conn') return 'least_conn';
  if (algorithm === 'p2c-ewma') return 'random_choose 2';
  if (algorithm === 'consistent-hash') {
    if (hash?.header) return `header ${hash.header}`;
    if (hash?.cookie) return `cookie ${hash.cookie}`;
    return 'ip_hash';
  }
  return 'round_robin';
}
