import { formatHostPort } from '../../core/address.js';
import { NetFailure } from '../../net/failure.js';
import { httpProbe } from '../../net/http.js';
import { tcpConnect } from '../../net/tcp.js';
import type { Check, CheckContext, Finding } from '../finding.js';
import type { GatewayConfig, GatewayRoute, GatewayUpstream } from '../gateway/model.js';
import { type GatewayKind, readGateway } from '../gateway/read.js';

export interface GatewayOptions {
  config?: string;
  kind?: GatewayKind;
  /** A host name clients use: is there a route for it? */
  host?: string;
  /** Upper bound for waiting on a slow upstream (we wait a little past the gateway's timeout). */
  maxWaitMs?: number;
  /** Environment for finding and running the gateway binaries (PATH); the process's by default. */
  env?: NodeJS.ProcessEnv;
}

/**
 * `troubleshoot api-gateway`: read the gateway's routes (through the gateway's own binary when it
 * is installed) and probe each upstream the way the gateway would, to explain its 502s (upstream
 * refuses) and 504s (upstream slower than the gateway's timeout — both numbers shown). A
 * configuration that cannot be read, or reads as empty, is a finding: never a clean pass.
 */
export async function apiGatewayChecks(cwd: string, options: GatewayOptions = {}): Promise<Check[]> {
  // A file the user named that is not there throws E_FILE_NOT_FOUND: a usage error, exit 2.
  const gateway = await readGateway(cwd, options.config, {
    ...(options.kind ? { kind: options.kind } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  if (!gateway) {
    return [
      {
        id: 'api-gateway.none',
        category: 'api-gateway',
        title: 'Gateway configuration',
        async run(ctx) {
          ctx.skip(
            'no gateway configuration here (nginx.conf, haproxy.cfg, Caddyfile, portico-lb.yaml); pass --config',
          );
          return [];
        },
      },
    ];
  }
  const g = gateway;
  const checks: Check[] = [configCheck(g), ...g.routes.map((route) => routeCheck(g, route, options))];
  if (options.host) checks.push(hostCheck(g, options.host));
  return checks;
}

/** How the configuration was read, and what reading it found wrong. */
function configCheck(g: GatewayConfig): Check {
  return {
    id: 'api-gateway.config',
    category: 'api-gateway',
    title: `${g.kind} configuration ${g.file}`,
    async run(ctx) {
      // The configuration was read before the checks were built; what reading it found is in
      // g.problems, reported as findings below.
      ctx.step(`read ${g.files.length} file(s)${g.reader.tool ? ` with ${g.reader.tool}` : ''}`, {
        ok: true,
      });
      for (const note of g.reader.notes) ctx.note(note);
      if (g.files.length > 1) ctx.note(`${g.files.length} files: ${g.files.join(', ')}`);
      ctx.note(`${g.routes.length} proxy route(s)`);
      const findings: Finding[] = [...g.problems];
      if (g.routes.length === 0 && !findings.some((f) => f.severity === 'error')) {
        findings.push({
          code: 'GW_NO_ROUTES',
          severity: 'warning',
          title: `${g.file} has no proxy route: nothing to check`,
          evidence: [
            `read ${g.files.join(', ')}${g.reader.tool ? ` with ${g.reader.tool}` : " with Portico's parser"}`,
            g.kind === 'nginx'
              ? 'no location with proxy_pass'
              : g.kind === 'haproxy'
                ? 'no backend or listen section'
                : g.kind === 'caddy'
                  ? 'no reverse_proxy'
                  : 'no routes',
          ],
          why: 'If this gateway should proxy to services, its routes live in another file (or an include that matched nothing).',
          fix: 'Point --config at the file with the proxy routes, or check its include/import paths.',
        });
      }
      return findings;
    },
  };
}

function routeCheck(g: GatewayConfig, route: GatewayRoute, options: GatewayOptions): Check {
  const wait = Math.min(
    Number.isFinite(route.readTimeoutMs) ? route.readTimeoutMs + 1000 : 10_000,
    options.maxWaitMs ?? 30_000,
  );
  return {
    id: `api-gateway:${route.name}`,
    category: 'api-gateway',
    title: `${g.kind} ${route.name.replace(/^\w+ /, '')} → ${route.upstreams.map((u) => formatHostPort(u.host, u.port)).join(', ') || '(no upstreams)'}`,
    timeoutMs: wait * Math.max(1, route.upstreams.length) + 5000,
    async run(ctx) {
      const findings: Finding[] = [];
      const readout = Number.isFinite(route.readTimeoutMs) ? `${route.readTimeoutMs}ms` : 'no limit';
      ctx.note(
        `${g.file}: ${route.name}; read timeout ${readout}, connect timeout ${route.connectTimeoutMs}ms`,
      );
      if (route.upstreams.length === 0) return [noUpstreams(g, route)];
      const dead: Array<{ u: GatewayUpstream; where: string; kind: string; message: string }> = [];
      for (const u of route.upstreams) {
        const where = formatHostPort(u.host, u.port);
        try {
          const c = await tcpConnect({
            host: u.host,
            port: u.port,
            timeoutMs: route.connectTimeoutMs,
            signal: ctx.signal,
          });
          ctx.note(`${where}: TCP connected in ${c.connectMs.toFixed(1)}ms`);
        } catch (error) {
          const kind = error instanceof NetFailure ? error.kind : 'other';
          ctx.note(`${where}: TCP ${kind}`);
          dead.push({ u, where, kind, message: (error as Error).message });
          continue;
        }
        findings.push(...(await httpFindings(g, route, u, where, wait, ctx)));
      }
      const alive = route.upstreams.length - dead.length;
      for (const d of dead)
        findings.push(d.u.checked && alive > 0 ? routedAround(g, route, d, alive) : down(g, route, d));
      if (route.upstreams.length === 1 && !route.activeHealthChecks) {
        findings.push({
          code: 'GW_SINGLE_UPSTREAM',
          severity: 'info',
          title: `${route.name} has one upstream and no active health checks`,
          evidence: [`upstreams: ${route.upstreams.map((u) => formatHostPort(u.host, u.port)).join(', ')}`],
          why: 'It is a single point of failure, and the gateway learns it is down only from failing client requests.',
          fix: 'Run more than one instance, and use a balancer with active checks (portico lb serve --health-path /health, HAProxy check).',
        });
      }
      return findings;
    },
  };
}

/** A route with nothing behind it (or upstreams Portico cannot know before a request comes). */
function noUpstreams(g: GatewayConfig, route: GatewayRoute): Finding {
  if (route.dynamic)
    return {
      code: 'GW_UPSTREAM_DYNAMIC',
      severity: 'info',
      title: `${route.name} chooses its upstream at request time: not probed`,
      evidence: [`${route.name} in ${g.file}: ${route.dynamic}`],
      why: 'Which server a request reaches depends on the request or on runtime state, so Portico cannot probe it from the configuration alone.',
      fix: 'Check the server it resolves to with: portico troubleshoot connectivity HOST:PORT',
    };
  return {
    code: 'GW_ROUTE_NO_UPSTREAMS',
    severity: 'error',
    title: `${route.name} has no upstream servers: every request routed there fails (${g.kind === 'haproxy' ? '503 No server is available' : '502/503'})`,
    evidence: [`${route.name} in ${g.file}: no server address Portico could read`],
    why: 'The gateway has nowhere to send these requests.',
    fix: `Add at least one server to ${route.name.replace(/^\w+ /, '')} in ${g.file}, or remove the route.`,
  };
}

type Dead = { u: GatewayUpstream; where: string; kind: string; message: string };

/** An upstream that does not accept connections, and nothing routes around it: 502 / 504. */
function down(g: GatewayConfig, route: GatewayRoute, d: Dead): Finding {
  const others = route.upstreams.length - 1;
  return {
    code: d.kind === 'timeout' ? 'GW_UPSTREAM_SLOW' : 'GW_UPSTREAM_DOWN',
    severity: 'error',
    title:
      d.kind === 'timeout'
        ? `upstream ${d.where} does not accept connections within ${route.connectTimeoutMs}ms: the gateway answers 504`
        : `upstream ${d.where} ${d.kind === 'refused' ? 'refuses connections' : `is ${d.kind}`}: the gateway answers 502 Bad Gateway`,
    evidence: [`${route.name} in ${g.file} proxies to ${d.where}`, `TCP connect to ${d.where}: ${d.message}`],
    why:
      others > 0 && !d.u.checked
        ? 'The gateway keeps sending a share of requests to it: without active health checks it only notices after failures.'
        : others > 0
          ? 'Every server of this route is down: there is nothing left to route around to.'
          : 'Requests routed here fail until it comes back.',
    fix: `Start the service behind ${d.where} (or fix its port in ${g.file}); check with: portico troubleshoot connectivity ${d.where}`,
    data: { upstream: d.where, kind: d.kind, gateway: g.kind },
  };
}

/** A dead upstream the gateway health-checks while others are alive: capacity lost, no 502. */
function routedAround(g: GatewayConfig, route: GatewayRoute, d: Dead, alive: number): Finding {
  return {
    code: 'GW_UPSTREAM_DOWN_ROUTED_AROUND',
    severity: 'warning',
    title: `upstream ${d.where} ${d.kind === 'refused' ? 'refuses connections' : `is ${d.kind}`}; ${g.kind} health-checks it and routes to the ${alive} live server(s)`,
    evidence: [
      `${route.name} in ${g.file} proxies to ${route.upstreams.map((u) => formatHostPort(u.host, u.port)).join(', ')}`,
      `TCP connect to ${d.where}: ${d.message}`,
      `${alive} of ${route.upstreams.length} servers accept connections; ${d.where} is health-checked${g.kind === 'haproxy' ? ' (check)' : ''}`,
    ],
    why: 'Once its checks fail the gateway stops sending requests there, so clients see no errors; but the route runs with less capacity and less redundancy.',
    fix: `Start the service behind ${d.where} again; check with: portico troubleshoot connectivity ${d.where}`,
    data: { upstream: d.where, kind: d.kind, gateway: g.kind, alive },
  };
}

/** Ask a connected upstream what the gateway would ask: slow (504) or failing (5xx) answers. */
async function httpFindings(
  g: GatewayConfig,
  route: GatewayRoute,
  u: GatewayUpstream,
  where: string,
  wait: number,
  ctx: CheckContext,
): Promise<Finding[]> {
  const started = performance.now();
  const path = route.pathPrefix.startsWith('/') ? route.pathPrefix : '/';
  try {
    const r = await httpProbe({
      url: `${u.tls ? 'https' : 'http'}://${where}${path}`,
      timeoutMs: wait,
      signal: ctx.signal,
      // Gateways do not verify upstream certificates unless told to (nginx proxy_ssl_verify off).
      tlsVerify: false,
    });
    const took = r.timings.ttfb;
    ctx.note(`${where}: HTTP ${r.status} after ${took.toFixed(0)}ms`);
    if (took > route.readTimeoutMs) return [slow(g, route, where, `${Math.round(took)}ms`)];
    if (r.status >= 500)
      return [
        {
          code: 'GW_UPSTREAM_DOWN',
          severity: 'error',
          title: `upstream ${where} answers ${r.status} itself`,
          evidence: [`GET ${route.pathPrefix} on ${where} → ${r.status} in ${took.toFixed(0)}ms`],
          why: 'The gateway passes this error on to clients.',
          fix: `Look at the logs of the service behind ${where}.`,
        },
      ];
  } catch (error) {
    const elapsed = performance.now() - started;
    if (error instanceof NetFailure && error.kind === 'timeout')
      return [slow(g, route, where, `more than ${Math.round(elapsed)}ms`)];
    ctx.note(`${where}: HTTP failed: ${(error as Error).message}`);
  }
  return [];
}

function slow(g: GatewayConfig, route: GatewayRoute, where: string, took: string): Finding {
  return {
    code: 'GW_UPSTREAM_SLOW',
    severity: 'error',
    title: `upstream ${where} needs ${took} to answer, but ${g.kind} waits only ${route.readTimeoutMs}ms: clients get 504 Gateway Timeout`,
    evidence: [
      `${route.name} in ${g.file}: read timeout ${route.readTimeoutMs}ms`,
      `GET ${route.pathPrefix} on ${where}: first byte after ${took}`,
    ],
    why: 'The gateway gives up before the upstream answers, so every slow request becomes a 504 even though the service eventually responds.',
    fix: `Make the endpoint faster, or raise the gateway's timeout above ${took} (${g.kind === 'nginx' ? 'proxy_read_timeout' : g.kind === 'haproxy' ? 'timeout server' : g.kind === 'caddy' ? 'response_header_timeout' : 'timeouts.headers'}).`,
    data: { upstream: where, gatewayTimeoutMs: route.readTimeoutMs, took },
  };
}

function hostCheck(g: GatewayConfig, host: string): Check {
  return {
    id: `api-gateway:host:${host}`,
    category: 'api-gateway',
    title: `A route for host ${host}`,
    async run(ctx) {
      ctx.step(`match host ${host} against ${g.routes.length} route(s)`, { ok: true });
      const matches = g.routes.filter(
        (r) =>
          r.hosts.length === 0 ||
          r.hosts.some(
            (h) =>
              h === host ||
              h === '_' ||
              (h.startsWith('*.') && host.endsWith(h.slice(1))) ||
              (h.startsWith('~') && new RegExp(h.slice(1)).test(host)),
          ),
      );
      if (matches.length > 0) return [];
      return [
        {
          code: 'GW_NO_ROUTE',
          severity: 'error',
          title: `no route in ${g.file} matches host ${host}`,
          evidence: [
            `hosts with routes: ${[...new Set(g.routes.flatMap((r) => r.hosts))].join(', ') || '(none)'}`,
          ],
          why: 'Requests for this host get the default server (often a 404, or the wrong application).',
          fix: `Add a server/site/ACL for ${host} in ${g.file}, or correct the host clients use.`,
        },
      ];
    },
  };
}
