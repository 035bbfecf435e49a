import { formatHostPort } from '../../core/address.js';
import { PorticoError } from '../../core/errors.js';
import { NetFailure } from '../../net/failure.js';
import { httpProbe } from '../../net/http.js';
import { tcpConnect } from '../../net/tcp.js';
import type { Check, Finding } from '../finding.js';
import type { GatewayConfig, GatewayRoute } from '../gateway/model.js';
import { type GatewayKind, readGateway } from '../gateway/read.js';

export interface GatewayOptions {
  config?: string;
  kind?: GatewayKind;
  /** A host name clients use: is there a route for it? */
  host?: string;
  /** Upper bound for waiting on a slow upstream (we wait a little past the gateway's timeout). */
  maxWaitMs?: number;
}

/**
 * `troubleshoot api-gateway`: read the gateway's routes and probe each upstream the way the
 * gateway would, to explain its 502s (upstream refuses) and 504s (upstream slower than the
 * gateway's timeout — both numbers shown).
 */
export function apiGatewayChecks(cwd: string, options: GatewayOptions = {}): Check[] {
  let gateway: GatewayConfig | undefined;
  let readError: Error | undefined;
  try {
    gateway = readGateway(cwd, options.config, options.kind);
  } catch (error) {
    // A file the user named that is not there is a usage error (exit 2), not a finding.
    if (error instanceof PorticoError && error.code === 'E_FILE_NOT_FOUND') throw error;
    readError = error as Error;
  }
  if (readError || !gateway) {
    return [
      {
        id: 'api-gateway.config',
        category: 'api-gateway',
        title: 'Gateway configuration',
        async run(ctx) {
          if (!readError) {
            ctx.skip(
              'no gateway configuration here (nginx.conf, haproxy.cfg, Caddyfile, portico-lb.yaml); pass --config',
            );
            return [];
          }
          return [
            {
              code: 'GW_CONFIG_UNREADABLE',
              severity: 'error',
              title: `cannot read the gateway configuration: ${readError.message}`,
              evidence: [readError.message],
              why: 'Without its routes the gateway cannot be checked.',
              fix: 'Pass --config with the path to nginx.conf, haproxy.cfg, a Caddyfile or portico-lb.yaml.',
            },
          ];
        },
      },
    ];
  }
  const g = gateway;
  const checks: Check[] = g.routes.map((route) => routeCheck(g, route, options));
  if (options.host) checks.push(hostCheck(g, options.host));
  return checks;
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
          findings.push({
            code: kind === 'timeout' ? 'GW_UPSTREAM_SLOW' : 'GW_UPSTREAM_DOWN',
            severity: 'error',
            title:
              kind === 'timeout'
                ? `upstream ${where} does not accept connections within ${route.connectTimeoutMs}ms: the gateway answers 504`
                : `upstream ${where} ${kind === 'refused' ? 'refuses connections' : `is ${kind}`}: the gateway answers 502 Bad Gateway`,
            evidence: [
              `${route.name} in ${g.file} proxies to ${where}`,
              `TCP connect to ${where}: ${(error as Error).message}`,
            ],
            why:
              route.upstreams.length > 1 && !route.activeHealthChecks
                ? 'The gateway keeps sending a share of requests to it: without active health checks it only notices after failures.'
                : 'Requests routed here fail until it comes back.',
            fix: `Start the service behind ${where} (or fix its port in ${g.file}); check with: portico troubleshoot connectivity ${where}`,
            data: { upstream: where, kind, gateway: g.kind },
          });
          continue;
        }
        const started = performance.now();
        try {
          const r = await httpProbe({
            url: `http://${where}${route.pathPrefix.startsWith('/') ? route.pathPrefix : '/'}`,
            timeoutMs: wait,
            signal: ctx.signal,
          });
          const took = r.timings.ttfb;
          ctx.note(`${where}: HTTP ${r.status} after ${took.toFixed(0)}ms`);
          if (took > route.readTimeoutMs) findings.push(slow(g, route, where, `${Math.round(took)}ms`));
          else if (r.status >= 500) {
            findings.push({
              code: 'GW_UPSTREAM_DOWN',
              severity: 'error',
              title: `upstream ${where} answers ${r.status} itself`,
              evidence: [`GET ${route.pathPrefix} on ${where} → ${r.status} in ${took.toFixed(0)}ms`],
              why: 'The gateway passes this error on to clients.',
              fix: `Look at the logs of the service behind ${where}.`,
            });
          }
        } catch (error) {
          const elapsed = performance.now() - started;
          if (error instanceof NetFailure && error.kind === 'timeout')
            findings.push(slow(g, route, where, `more than ${Math.round(elapsed)}ms`));
          else ctx.note(`${where}: HTTP failed: ${(error as Error).message}`);
        }
      }
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
    async run() {
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
