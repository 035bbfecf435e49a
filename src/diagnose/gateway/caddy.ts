import { type CaddyNode, parseCaddyfile } from './caddy-parse.js';
import { type ConfSource, withMainText } from './conf-source.js';
import {
  type GatewayConfig,
  type GatewayRoute,
  type GatewayUpstream,
  gatewayDuration,
  parsedConfig,
  splitHostPort,
} from './model.js';

/** Caddy dials upstreams within 3 s unless dial_timeout says otherwise. */
const caddyDialMs = 3000;

function upstreamOf(word: string, tls: boolean): GatewayUpstream | 'dynamic' | undefined {
  if (word.includes('{')) return 'dynamic';
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(word);
  const u = splitHostPort(word, tls && !hasScheme ? 443 : 80);
  return u && tls ? { ...u, tls } : u;
}

const siteHosts = (addresses: string[]): string[] =>
  addresses
    .map((s) =>
      s
        .replace(/^[a-z]+:\/\//i, '')
        .replace(/\/.*$/, '')
        .replace(/:\d+$/, ''),
    )
    .filter((h) => h && !h.startsWith(':'));

/** One `reverse_proxy` directive (words after the name, and its block) → a route. */
function reverseProxyRoute(node: CaddyNode, site: string[], prefix: string): GatewayRoute {
  const words = node.words.slice(1);
  let path = prefix;
  if (words[0]?.startsWith('/')) path = words.shift()!.replace(/\*$/, '');
  else if (words[0] === '*' || words[0]?.startsWith('@')) words.shift();
  const block = node.block ?? [];
  const sub = (name: string) => block.filter((n) => n.words[0] === name);
  const transport = sub('transport')[0]?.block ?? [];
  const tls = transport.some((n) => n.words[0] === 'tls');
  const targets = [...words, ...sub('to').flatMap((n) => n.words.slice(1))];
  const resolved = targets.map((w) => upstreamOf(w, tls));
  const upstreams = resolved.filter((u): u is GatewayUpstream => typeof u === 'object');
  const checked = sub('health_uri').length + sub('health_path').length > 0;
  const dynamic = sub('dynamic').length > 0 || resolved.includes('dynamic');
  const setting = (name: string) => transport.find((n) => n.words[0] === name)?.words[1];
  const read = gatewayDuration(setting('response_header_timeout'), 0);
  return {
    name: `caddy site ${site.join(' ')} reverse_proxy ${path}`,
    hosts: siteHosts(site),
    pathPrefix: path,
    upstreams: upstreams.map((u) => (checked ? { ...u, checked } : u)),
    ...(dynamic && upstreams.length === 0
      ? { dynamic: 'its upstreams come from placeholders or dynamic upstreams' }
      : {}),
    // Caddy waits for response headers without limit unless response_header_timeout is set.
    readTimeoutMs: read || Number.POSITIVE_INFINITY,
    connectTimeoutMs: gatewayDuration(setting('dial_timeout'), caddyDialMs),
    activeHealthChecks: checked,
  };
}

/** Routes of a parsed Caddyfile: each site's reverse_proxy directives, inside handle/route too. */
export function caddyRoutesFrom(nodes: CaddyNode[]): GatewayRoute[] {
  const routes: GatewayRoute[] = [];
  const walk = (block: CaddyNode[], site: string[], prefix: string) => {
    for (const n of block) {
      if (n.words[0] === 'reverse_proxy') routes.push(reverseProxyRoute(n, site, prefix));
      else if (n.block && ['handle', 'handle_path', 'route', 'handle_errors'].includes(n.words[0] ?? ''))
        walk(n.block, site, n.words[1]?.startsWith('/') ? n.words[1].replace(/\*$/, '') : prefix);
    }
  };
  const sites = nodes.filter((n) => n.block && n.words.length > 0);
  if (sites.length > 0)
    for (const s of sites)
      walk(
        s.block!,
        s.words
          .join(' ')
          .split(/[\s,]+/)
          .filter(Boolean),
        '/',
      );
  else {
    // A Caddyfile with one site may leave out the braces: addresses on the first line.
    const body = nodes.filter((n) => n.words.length > 0);
    if (body.length) walk(body.slice(1), body[0]!.words.flatMap((w) => w.split(',')).filter(Boolean), '/');
  }
  return routes;
}

/** Routes of one Caddyfile text (imports read from disk next to `file`). */
export function caddyRoutes(text: string, file: string, source?: ConfSource): GatewayConfig {
  const { nodes, files } = parseCaddyfile(file, withMainText(file, text, source));
  return parsedConfig('caddy', file, caddyRoutesFrom(nodes), files);
}

// --- `caddy adapt` JSON ---------------------------------------------------------------------

interface CaddyJsonRoute {
  match?: Array<{ host?: string[]; path?: string[] }>;
  handle?: CaddyJsonHandler[];
}
interface CaddyJsonHandler {
  handler?: string;
  routes?: CaddyJsonRoute[];
  upstreams?: Array<{ dial?: string }>;
  dynamic_upstreams?: unknown;
  transport?: { tls?: unknown; response_header_timeout?: number | string; dial_timeout?: number | string };
  health_checks?: { active?: unknown };
}

/** Caddy JSON durations are nanoseconds (numbers) or Go duration strings. */
function jsonDuration(v: number | string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v === 'number') return v / 1e6;
  return gatewayDuration(v, fallback);
}

/**
 * Routes of the JSON `caddy adapt` printed: every reverse_proxy handler, inside subroutes too,
 * with the hosts and path of the matchers above it.
 */
export function caddyRoutesFromJson(json: unknown): GatewayRoute[] {
  const routes: GatewayRoute[] = [];
  const servers =
    (
      json as {
        apps?: { http?: { servers?: Record<string, { listen?: string[]; routes?: CaddyJsonRoute[] }> } };
      }
    )?.apps?.http?.servers ?? {};
  const walk = (list: CaddyJsonRoute[] | undefined, hosts: string[], path: string, server: string) => {
    for (const r of list ?? []) {
      const h = r.match?.flatMap((m) => m.host ?? []) ?? [];
      const p = r.match?.flatMap((m) => m.path ?? [])[0]?.replace(/\*$/, '');
      const routeHosts = h.length ? h : hosts;
      const routePath = p ?? path;
      for (const handler of r.handle ?? []) {
        if (handler.handler === 'subroute') walk(handler.routes, routeHosts, routePath, server);
        if (handler.handler !== 'reverse_proxy') continue;
        const tls = handler.transport?.tls !== undefined;
        const checked = handler.health_checks?.active !== undefined;
        const dials = (handler.upstreams ?? []).map((u) => u.dial ?? '');
        const upstreams = dials.flatMap((d) => {
          const u = d.includes('{') ? undefined : splitHostPort(d, tls ? 443 : 80);
          return u ? [{ ...u, ...(tls ? { tls } : {}), ...(checked ? { checked } : {}) }] : [];
        });
        const dynamic = handler.dynamic_upstreams !== undefined || dials.some((d) => d.includes('{'));
        const read = jsonDuration(handler.transport?.response_header_timeout, 0);
        routes.push({
          name: `caddy server ${server}${routeHosts.length ? ` host ${routeHosts.join(' ')}` : ''} reverse_proxy ${routePath}`,
          hosts: routeHosts,
          pathPrefix: routePath,
          upstreams,
          ...(dynamic && upstreams.length === 0
            ? { dynamic: 'its upstreams come from placeholders or dynamic upstreams' }
            : {}),
          readTimeoutMs: read || Number.POSITIVE_INFINITY,
          connectTimeoutMs: jsonDuration(handler.transport?.dial_timeout, caddyDialMs),
          activeHealthChecks: checked,
        });
      }
    }
  };
  for (const [name, server] of Object.entries(servers)) walk(server.routes, [], '/', name);
  return routes;
}
