import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Pool } from 'undici';
import { formatHostPort } from '../core/address.js';
import { PorticoError } from '../core/errors.js';
import { type AccessLogger, createAccessLog } from './access-log.js';
import { createAdminServer } from './admin.js';
import { Exchange, type ExchangeContext, type HttpRoute } from './exchange.js';
import { ActiveHealthChecks } from './health.js';
import { createMetrics } from './metrics.js';
import type { BalancerSpec, RouteSpec, UpstreamSpec } from './model.js';
import { UpstreamPool } from './pool.js';
import { RetryBudget } from './retry-budget.js';
import { Router } from './router.js';
import { buildStatus } from './status.js';
import { createTcpProxy } from './tcp-proxy.js';
import { trustedPeers } from './trusted.js';
import type { Upstream } from './upstream.js';
import { proxyUpgrade } from './websocket.js';

export interface BalancerAddresses {
  http?: AddressInfo;
  https?: AddressInfo;
  admin?: AddressInfo;
  tcp: Record<string, AddressInfo>;
}

/**
 * The embedded load balancer. Built from a spec (flags, config file or catalog) and started
 * separately, so tests and library users drive it in-process: `new Balancer(spec).start()`.
 * Routes can be added and upstream sets replaced while it runs; the next request sees them.
 */
export class Balancer {
  private routes = new Map<string, HttpRoute>();
  private router: Router<HttpRoute> = new Router([]);
  private readonly tcpPools = new Map<string, UpstreamPool>();
  private readonly health: ActiveHealthChecks;
  private readonly isTrusted: (ip: string) => boolean;
  private readonly accessLog: AccessLogger | undefined;
  private readonly servers: NetServer[] = [];
  private readonly sockets = new Set<Socket>();
  readonly startedAt = Date.now();
  readonly addresses: BalancerAddresses = { tcp: {} };
  readonly metrics;

  constructor(
    readonly spec: BalancerSpec,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.isTrusted = trustedPeers(spec.trustedProxies);
    this.accessLog = createAccessLog(spec.accessLog);
    this.health = new ActiveHealthChecks(env);
    for (const r of spec.routes) this.addRoute(r);
    for (const t of spec.tcp) {
      const pool = this.newPool(t.name, t.algorithm, t.upstreams, false);
      this.tcpPools.set(t.name, pool);
      this.health.watch(pool, t.health);
    }
    this.metrics = createMetrics(() => [
      ...[...this.routes.values()].map((r) => ({ route: r.spec.name, pool: r.pool })),
      ...[...this.tcpPools].map(([name, pool]) => ({ route: name, pool })),
    ]);
  }

  /** Add or replace an HTTP route. */
  addRoute(spec: RouteSpec): void {
    const existing = this.routes.get(spec.name);
    if (existing) {
      existing.pool.setUpstreams(spec.upstreams);
      existing.spec = spec;
    } else {
      const pool = this.newPool(spec.name, spec.algorithm, spec.upstreams, true);
      this.routes.set(spec.name, { spec, pool, budget: new RetryBudget(this.spec.retry) });
      this.health.watch(pool, spec.health);
    }
    this.rebuildRouter();
  }

  removeRoute(name: string): void {
    const route = this.routes.get(name);
    if (!route) return;
    this.routes.delete(name);
    route.pool.setUpstreams([]);
    this.health.watch(route.pool, undefined);
    this.rebuildRouter();
  }

  /** Replace the upstreams of a route (HTTP or TCP). */
  setUpstreams(routeName: string, upstreams: UpstreamSpec[]): void {
    const pool = this.routes.get(routeName)?.pool ?? this.tcpPools.get(routeName);
    if (!pool) throw new PorticoError('E_LB_CONFIG', `no route named ${routeName}`);
    pool.setUpstreams(upstreams);
    this.health.sync();
  }

  routeNames(): string[] {
    return [...this.routes.keys()];
  }

  async start(): Promise<BalancerAddresses> {
    const tls = this.spec.tls;
    if (this.spec.listen) {
      const redirectPort = tls?.redirectHttp ? tls.listen.port : undefined;
      const server = this.httpServer(createHttpServer(this.serverOptions()), 'http', redirectPort);
      this.addresses.http = await this.listen(server, this.spec.listen.host, this.spec.listen.port, 'HTTP');
    }
    if (tls) {
      const { SNICallback, cert, key } = await this.tlsOptions();
      const server = this.httpServer(
        createHttpsServer({ ...this.serverOptions(), SNICallback, cert, key }),
        'https',
      );
      this.addresses.https = await this.listen(server, tls.listen.host, tls.listen.port, 'HTTPS');
    }
    for (const t of this.spec.tcp) {
      this.addresses.tcp[t.name] = await this.listen(
        createTcpProxy(this.spec, this.tcpPools.get(t.name)!),
        t.listen.host,
        t.listen.port,
        `TCP ${t.name}`,
      );
    }
    if (this.spec.admin) {
      const admin = createAdminServer({
        status: () => this.status(),
        metrics: this.metrics,
        ...(this.spec.admin.token ? { token: this.spec.admin.token } : {}),
      });
      this.addresses.admin = await this.listen(admin, this.spec.admin.host, this.spec.admin.port, 'admin');
    }
    this.health.start();
    return this.addresses;
  }

  async close(): Promise<void> {
    this.health.stop();
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    const pools = [...[...this.routes.values()].map((r) => r.pool)];
    await Promise.all(pools.flatMap((p) => p.upstreams.map((u) => u.dispatcher?.destroy().catch(() => {}))));
  }

  status() {
    return buildStatus(this);
  }

  httpRoutes(): HttpRoute[] {
    return [...this.routes.values()];
  }

  tcpRoutes(): Array<[string, UpstreamPool]> {
    return [...this.tcpPools];
  }

  private newPool(
    name: string,
    algorithm: RouteSpec['algorithm'],
    upstreams: UpstreamSpec[],
    http: boolean,
  ): UpstreamPool {
    return new UpstreamPool(
      name,
      algorithm,
      { outlier: this.spec.outlier, circuit: this.spec.circuit, slowStartMs: this.spec.slowStartMs },
      upstreams,
      (_pool, added, removed) => {
        if (http) for (const u of added) u.dispatcher = this.dispatcherFor(u);
        for (const u of removed) void u.dispatcher?.close().catch(() => {});
        this.health.sync();
      },
    );
  }

  private dispatcherFor(u: Upstream): Pool {
    const t = this.spec.timeouts;
    return new Pool(`http://${formatHostPort(u.address, u.port)}`, {
      connections: this.spec.circuit.maxConcurrent,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: t.headersMs,
      bodyTimeout: t.idleMs,
      connect: { timeout: t.connectMs },
    });
  }

  private rebuildRouter(): void {
    this.router = new Router([...this.routes.values()].map((r) => ({ spec: r.spec, value: r })));
  }

  private serverOptions() {
    const t = this.spec.timeouts;
    return {
      maxHeaderSize: this.spec.maxHeaderBytes,
      // Slowloris: the whole header block must arrive within this.
      headersTimeout: t.clientHeadersMs,
      requestTimeout: t.totalMs,
      keepAliveTimeout: t.clientKeepAliveMs,
      connectionsCheckingInterval: 1000,
      insecureHTTPParser: false,
    };
  }

  private httpServer<S extends Server>(server: S, proto: 'http' | 'https', redirectTo?: number): S {
    const ctx: ExchangeContext = {
      spec: this.spec,
      proto,
      isTrusted: this.isTrusted,
      accessLog: this.accessLog,
    };
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (redirectTo !== undefined) return redirect(req, res, redirectTo);
      const routed = this.router.match(req.headers.host, req.url ?? '/');
      if (!routed) return noRoute(req, res);
      new Exchange(ctx, routed.route, req, res, routed.path, performance.now()).start();
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const routed = this.router.match(req.headers.host, req.url ?? '/');
      if (!routed) {
        socket.end(
          'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nportico: no route\n',
        );
        return;
      }
      proxyUpgrade(
        this.spec,
        routed.route,
        routed.path,
        req,
        socket,
        head,
        proto,
        this.isTrusted(req.socket.remoteAddress ?? ''),
      );
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      // Malformed or smuggling-shaped requests, oversized headers, slow clients: answer and close.
      if (!socket.writable) return socket.destroy();
      const status =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : '400 Bad Request';
      socket.end(
        `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nportico: ${status.slice(4).toLowerCase()}\n`,
      );
    });
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    return server;
  }

  private async tlsOptions() {
    const tls = this.spec.tls!;
    if (tls.certFile && tls.keyFile) {
      try {
        return { SNICallback: undefined, cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) };
      } catch (error) {
        throw new PorticoError(
          'E_LB_TLS',
          `cannot read ${tls.certFile} / ${tls.keyFile}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    // Loaded only when TLS is on: the certificate library adds ~6 MB to every balancer.
    const { loadOrCreateDevCa } = await import('./tls/dev-ca.js');
    const { SniCertificates, servedNames } = await import('./tls/sni.js');
    const ca = await loadOrCreateDevCa(this.env);
    const sni = new SniCertificates(
      ca,
      servedNames(this.spec.routes.flatMap((r) => (r.host ? [r.host] : []))),
    );
    const fallback = await sni.defaultPair();
    return { SNICallback: sni.callback, cert: fallback.certPem, key: fallback.keyPem };
  }

  private async listen(server: NetServer, host: string, port: number, what: string): Promise<AddressInfo> {
    this.servers.push(server);
    return await new Promise((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new PorticoError(
            'E_LB_LISTEN',
            `cannot listen for ${what} on ${formatHostPort(host, port)}: ${error.code ?? error.message}`,
            {
              hint:
                error.code === 'EADDRINUSE'
                  ? `See who holds it: portico ports who ${port}`
                  : 'Check the address exists on this host.',
            },
          ),
        ),
      );
      server.listen(port, host, () => resolve(server.address() as AddressInfo));
    });
  }
}

function redirect(req: IncomingMessage, res: ServerResponse, httpsPort: number): void {
  const host = (req.headers.host ?? 'localhost').replace(/:\d+$/, '');
  res.writeHead(308, {
    location: `https://${host}${httpsPort === 443 ? '' : `:${httpsPort}`}${req.url ?? '/'}`,
    'content-length': 0,
  });
  res.end();
}

function noRoute(req: IncomingMessage, res: ServerResponse): void {
  const body = `portico: no route for host ${req.headers.host ?? '(none)'} and path ${req.url}\n`;
  res.writeHead(404, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-portico-error': 'no-route',
  });
  res.end(body);
}
