import { type ConfSource, withMainText } from './conf-source.js';
import {
  type GatewayConfig,
  type GatewayRoute,
  type GatewayUpstream,
  gatewayDuration,
  parsedConfig,
  splitHostPort,
} from './model.js';
import { type Directive, parseNginxConf } from './nginx-parse.js';

const arg = (list: Directive[] | undefined, name: string): string | undefined =>
  list?.findLast((d) => d.name === name)?.args[0];

/** `server ADDR [params]` lines of an upstream block; `down` servers are out on purpose. */
function upstreamServers(block: Directive[]): GatewayUpstream[] {
  return block
    .filter(
      (d) => d.name === 'server' && d.args[0] && !d.args[0].startsWith('unix:') && !d.args.includes('down'),
    )
    .flatMap((d) => {
      const u = splitHostPort(d.args[0]!, 80);
      return u ? [u] : [];
    });
}

/** Where a proxy_pass sends requests: an upstream block's servers, or one host:port. */
function passTarget(
  pass: string,
  upstreams: Map<string, GatewayUpstream[]>,
): { upstreams: GatewayUpstream[]; dynamic?: string } {
  if (pass.includes('$'))
    return { upstreams: [], dynamic: `proxy_pass ${pass} names its upstream with a variable` };
  if (/^https?:\/\/unix:/.test(pass))
    return { upstreams: [], dynamic: `proxy_pass ${pass} is a unix socket` };
  const tls = pass.startsWith('https://');
  const hostPart = pass.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const group = upstreams.get(hostPart);
  if (group) return { upstreams: group.map((u) => (tls ? { ...u, tls } : u)) };
  const one = splitHostPort(pass, 80);
  return { upstreams: one ? [one] : [] };
}

/**
 * Routes of an nginx configuration (its directive tree, includes already expanded): each
 * server_name × location with a proxy_pass → its upstreams, with the timeouts nginx inherits
 * from location, server and http.
 */
export function nginxRoutesFrom(top: Directive[]): GatewayRoute[] {
  const http = top.filter((d) => d.name === 'http' && d.block).flatMap((d) => d.block!);
  const scope = http.length ? http : top;
  const upstreams = new Map<string, GatewayUpstream[]>();
  for (const u of scope.filter((d) => d.name === 'upstream' && d.block && d.args[0]))
    upstreams.set(u.args[0]!, upstreamServers(u.block!));
  const routes: GatewayRoute[] = [];
  for (const server of scope.filter((d) => d.name === 'server' && d.block)) {
    const hosts = server.block!.filter((d) => d.name === 'server_name').flatMap((d) => d.args);
    const walk = (block: Directive[], parents: Directive[][], prefix: string) => {
      const timeout = (name: string): number =>
        gatewayDuration(
          [block, ...parents].map((b) => arg(b, name)).find((v) => v !== undefined),
          60_000,
        );
      const pass = arg(block, 'proxy_pass');
      if (pass && block !== server.block) {
        const target = passTarget(pass, upstreams);
        routes.push({
          name: `nginx server ${hosts.join(' ') || '_'} location ${prefix}`,
          hosts,
          pathPrefix: prefix,
          upstreams: target.upstreams,
          ...(target.dynamic ? { dynamic: target.dynamic } : {}),
          readTimeoutMs: timeout('proxy_read_timeout'),
          connectTimeoutMs: timeout('proxy_connect_timeout'),
          activeHealthChecks: false, // nginx OSS: passive checks only
        });
      }
      for (const loc of block.filter((d) => d.name === 'location' && d.block))
        walk(loc.block!, [block, ...parents], loc.args[loc.args.length - 1] ?? '/');
    };
    walk(server.block!, [http], '/');
  }
  return routes;
}

/** Routes of one nginx configuration text (includes read from disk next to `file`). */
export function nginxRoutes(text: string, file: string, source?: ConfSource): GatewayConfig {
  const { directives, files } = parseNginxConf(file, withMainText(file, text, source));
  return parsedConfig('nginx', file, nginxRoutesFrom(directives), files);
}
