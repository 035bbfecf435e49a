import { stringify } from 'yaml';
import type {
  ActiveHealth,
  BalancerSpec,
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
  unsupported,
} from '../exporter.js';

/** Entry point names the dynamic file refers to; their addresses belong to Traefik's static file. */
export const entryPointNames = {
  http: 'portico-http',
  https: 'portico-https',
  tcp: (route: string): string => `portico-tcp-${safeName(route)}`,
};

type Obj = Record<string, unknown>;

/**
 * Traefik's file-provider dynamic configuration (YAML) from a BalancerSpec: routers with host and
 * path rules, explicit priorities in Portico's match order, services (weights through `weighted`
 * services over one load balancer per weight, since a Traefik load balancer spreads evenly),
 * health checks, retries, TCP routers and the TLS certificate. What Traefik keeps in its static
 * configuration (entry point addresses, client timeouts, the access log) is written as a comment
 * to copy, and what it cannot express at all is E_LB_EXPORT_UNSUPPORTED.
 */
export function renderTraefik(spec: BalancerSpec, options: RenderOptions): string {
  const tls = certificateFor(spec, options);
  refuseInexpressible(spec);
  const notes: string[] = pickerNotes(spec);
  const http: { routers: Obj; services: Obj; middlewares: Obj; serversTransports: Obj } = {
    routers: {},
    services: {},
    middlewares: {},
    serversTransports: {},
  };
  const retry = spec.retry.attempts > 0 ? 'portico-retry' : undefined;
  if (retry) http.middlewares[retry] = { retry: { attempts: spec.retry.attempts + 1 } };
  const redirect = tls && spec.tls?.redirectHttp ? 'portico-redirect-https' : undefined;
  if (redirect)
    http.middlewares[redirect] = {
      redirectScheme: { scheme: 'https', port: String(spec.tls!.listen.port), permanent: true },
    };
  if (spec.routes.length > 0)
    http.serversTransports.portico = {
      forwardingTimeouts: {
        dialTimeout: duration(spec.timeouts.connectMs),
        responseHeaderTimeout: duration(spec.timeouts.headersMs),
      },
    };

  const ordered = matchOrder(spec.routes);
  for (const [i, r] of ordered.entries()) {
    const name = `route-${safeName(r.name)}`;
    const middlewares: string[] = [];
    if (r.stripPrefix && r.pathPrefix && r.pathPrefix !== '/') {
      http.middlewares[`${name}-strip`] = { stripPrefix: { prefixes: [r.pathPrefix.replace(/\/$/, '')] } };
      middlewares.push(`${name}-strip`);
    }
    if (retry) middlewares.push(retry);
    const router = {
      rule: rule(r),
      // Traefik sorts by rule length unless told: these keep Portico's first-match order.
      priority: ordered.length - i,
      service: name,
      ...(middlewares.length > 0 ? { middlewares } : {}),
    };
    if (spec.listen)
      http.routers[name] = {
        entryPoints: [entryPointNames.http],
        ...router,
        ...(redirect ? { middlewares: [redirect] } : {}),
      };
    if (tls) http.routers[`${name}-tls`] = { entryPoints: [entryPointNames.https], ...router, tls: {} };
    Object.assign(http.services, httpServices(name, r, notes));
  }

  const tcp: { routers: Obj; services: Obj } = { routers: {}, services: {} };
  for (const t of spec.tcp) {
    const name = `tcp-${safeName(t.name)}`;
    if (t.upstreams.length === 0) {
      notes.push(`TCP route ${t.name} has no instance yet: no router (Traefik needs at least one server).`);
      continue;
    }
    tcp.routers[name] = { entryPoints: [entryPointNames.tcp(t.name)], rule: 'HostSNI(`*`)', service: name };
    Object.assign(tcp.services, tcpServices(name, t));
    if (t.health)
      notes.push(`TCP route ${t.name}: no active check (Traefik's file provider checks HTTP services).`);
  }

  const doc: Obj = {};
  const httpPart = Object.fromEntries(Object.entries(http).filter(([, v]) => Object.keys(v).length > 0));
  if (Object.keys(httpPart).length > 0) doc.http = httpPart;
  if (Object.keys(tcp.routers).length > 0) doc.tcp = tcp;
  if (tls) {
    const pair = { certFile: tls.certFile, keyFile: tls.keyFile };
    // The default certificate also answers clients that send no SNI (an IP address).
    doc.tls = { certificates: [pair], stores: { default: { defaultCertificate: pair } } };
  }
  notes.push(...staticOnly(spec));
  return [
    header('traefik', '#').trimEnd(),
    ...staticConfig(spec),
    ...(notes.length > 0 ? ['#', '# Not expressed in this file:', ...notes.map((n) => `#   - ${n}`)] : []),
    '',
    // No anchors: each service reads on its own.
    stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd(),
    '',
  ].join('\n');
}

function refuseInexpressible(spec: BalancerSpec): void {
  if (spec.upstreamHeader)
    throw unsupported(
      'traefik',
      `the upstream header (upstreamHeader: ${spec.upstreamHeader}): its middlewares cannot name the server that answered`,
      'Generate without upstreamHeader, or for nginx, haproxy or caddy.',
    );
  // Affinity is a contract (a user's requests stay on one upstream): never dropped. One upstream
  // needs no picker, so any algorithm renders the same.
  const hashed = [...spec.routes, ...spec.tcp].find(
    (r) => r.algorithm === 'consistent-hash' && r.upstreams.length > 1,
  );
  if (hashed)
    throw unsupported(
      'traefik',
      `the consistent-hash picker of route ${hashed.name}: its file provider has no hash-based balancing`,
      'Use algorithm: round-robin for this route, or generate for nginx, haproxy or caddy.',
    );
}

/** Least-connections pickers are a load optimisation Traefik lacks: said in the file, not refused. */
function pickerNotes(spec: BalancerSpec): string[] {
  return [...spec.routes, ...spec.tcp]
    .filter((r) => (r.algorithm === 'least-conn' || r.algorithm === 'p2c-ewma') && r.upstreams.length > 1)
    .map(
      (r) =>
        `route ${r.name}: ${r.algorithm} is balanced by weighted round robin (Traefik has no least-connections picker).`,
    );
}

/** Portico's match: exact or wildcard host (no port), path equal to the prefix or below it. */
function rule(r: RouteSpec): string {
  const parts: string[] = [];
  if (r.host) {
    const host = r.host.toLowerCase();
    parts.push(
      host.startsWith('*.')
        ? `HostRegexp(\`^.+${host.slice(1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$\`)`
        : `Host(\`${host}\`)`,
    );
  }
  const prefix = r.pathPrefix && r.pathPrefix !== '/' ? r.pathPrefix.replace(/\/$/, '') : undefined;
  if (prefix) parts.push(`(Path(\`${prefix}\`) || PathPrefix(\`${prefix}/\`))`);
  return parts.length > 0 ? parts.join(' && ') : 'PathPrefix(`/`)';
}

function httpServices(name: string, r: RouteSpec, notes: string[]): Obj {
  if (r.upstreams.length === 0) {
    notes.push(`route ${r.name} has no instance yet: an empty weighted service (Traefik answers 503).`);
    return { [name]: { weighted: { services: [] } } };
  }
  const check = healthCheck(r.health);
  if (r.health && !r.health.path)
    notes.push(`route ${r.name}: no active check (Portico checks it by TCP connect; Traefik by HTTP only).`);
  if (r.health?.path && (r.health.rise > 1 || r.health.fall > 1))
    notes.push(`route ${r.name}: rise ${r.health.rise} / fall ${r.health.fall} (Traefik acts on one check).`);
  const balancer = (list: UpstreamSpec[]): Obj => ({
    loadBalancer: {
      servers: list.map((u) => ({ url: `http://${formatHostPort(u.address, u.port)}` })),
      ...(check ? { healthCheck: check } : {}),
      passHostHeader: true,
      serversTransport: 'portico',
    },
  });
  const groups = byWeight(r.upstreams);
  if (groups.length === 1) return { [name]: balancer(r.upstreams) };
  // One evenly balanced group per weight; each group's share is its weight times its size.
  const out: Obj = {
    [name]: {
      weighted: {
        services: groups.map(([w, list]) => ({ name: `${name}-w${w}`, weight: w * list.length })),
        // An empty healthCheck makes the weighted service follow its children's health.
        ...(check ? { healthCheck: {} } : {}),
      },
    },
  };
  for (const [w, list] of groups) out[`${name}-w${w}`] = balancer(list);
  return out;
}

function tcpServices(name: string, t: TcpRouteSpec): Obj {
  const balancer = (list: UpstreamSpec[]): Obj => ({
    loadBalancer: { servers: list.map((u) => ({ address: formatHostPort(u.address, u.port) })) },
  });
  const groups = byWeight(t.upstreams);
  if (groups.length === 1) return { [name]: balancer(t.upstreams) };
  const out: Obj = {
    [name]: {
      weighted: { services: groups.map(([w, list]) => ({ name: `${name}-w${w}`, weight: w * list.length })) },
    },
  };
  for (const [w, list] of groups) out[`${name}-w${w}`] = balancer(list);
  return out;
}

function byWeight(list: UpstreamSpec[]): Array<[number, UpstreamSpec[]]> {
  const groups = new Map<number, UpstreamSpec[]>();
  for (const u of list) groups.set(u.weight, [...(groups.get(u.weight) ?? []), u]);
  return [...groups.entries()].sort(([a], [b]) => a - b);
}

function healthCheck(h: ActiveHealth | undefined): Obj | undefined {
  if (!h?.path) return undefined;
  return { path: h.path, interval: duration(h.intervalMs), timeout: duration(h.timeoutMs) };
}

/** The static configuration (traefik.yml) this file needs: entry points and the file provider. */
function staticConfig(spec: BalancerSpec): string[] {
  const http: Array<[string, string]> = [];
  if (spec.listen) http.push([entryPointNames.http, formatHostPort(spec.listen.host, spec.listen.port)]);
  if (spec.tls)
    http.push([entryPointNames.https, formatHostPort(spec.tls.listen.host, spec.tls.listen.port)]);
  const tcp = spec.tcp.map((t) => [
    entryPointNames.tcp(t.name),
    formatHostPort(t.listen.host, t.listen.port),
  ]);
  return [
    '#',
    "# This is Traefik's dynamic configuration. Its static configuration (traefik.yml) needs:",
    '#   entryPoints:',
    ...http.flatMap(([name, address]) => [
      `#     ${name}:`,
      `#       address: "${address}"`,
      // Traefik has no header-only read timeout; idle keep-alive is the same idea.
      `#       transport: { respondingTimeouts: { idleTimeout: ${duration(spec.timeouts.clientKeepAliveMs)} } }`,
    ]),
    ...tcp.flatMap(([name, address]) => [`#     ${name}:`, `#       address: "${address}"`]),
    '#   providers:',
    '#     file: { filename: <this file>, watch: true }',
    ...(spec.accessLog ? ['#   accessLog: { format: json }'] : []),
  ];
}

function staticOnly(spec: BalancerSpec): string[] {
  const notes = [
    `the client header timeout (${duration(spec.timeouts.clientHeadersMs)}) and header size limit: entry point settings with no exact match.`,
    `passive ejection (${spec.outlier.consecutiveErrors} errors): Traefik's load balancer has none.`,
    `the retry budget (${spec.retry.budgetPercent}%) and the total timeout (${duration(spec.timeouts.totalMs)}).`,
  ];
  if (spec.accessLog) notes.push('the access log: static configuration (accessLog: above).');
  return notes;
}
