import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TlsOptions as TlsServerOptions } from 'node:tls';
import { formatHostPort } from '../core/address.js';
import { PorticoError } from '../core/errors.js';
import { type AccessLogger, type AccessLogSink, createAccessLog } from './access-log.js';
import { createAdminServer } from './admin.js';
import { Exchange, type ExchangeContext, type HttpRoute } from './exchange.js';
import { ClientConnection, type FastContext } from './h1/client-connection.js';
import type { FastExchangeContext } from './h1/fast-exchange.js';
import { UpstreamConnections } from './h1/upstream-connections.js';
import { ActiveHealthChecks } from './health.js';
import { Pool } from './lean-deps.js';
import { createMetrics } from './metrics.js';
import type { ActiveHealth, BalancerSpec, RouteSpec, UpstreamSpec } from './model.js';
import { UpstreamPool } from './pool.js';
import { RetryBudget } from './retry-budget.js';
import { Router } from './router.js';
import { ShareWindow } from './share-window.js';
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
  private isTrusted: (ip: string) => boolean;
  private readonly accessLog: AccessLogger | undefined;
  private readonly servers: NetServer[] = [];
  private readonly httpServers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  /** Client requests being answered (HTTP and HTTPS): what a drain waits for. */
  private readonly inflight = new Set<ServerResponse>();
  /** The same for requests on the fast HTTP/1.1 path, and its client connections. */
  private fastInflight = 0;
  private readonly fastClients = new Set<ClientConnection>();
  /** Upgraded (WebSocket) and TCP-mode connections: no request boundary to wait for. */
  private readonly tunnels = new Set<Duplex>();
  private draining = false;
  /** The exchange contexts handed out, kept up to date with `spec` and `draining`. */
  private readonly contexts: FastExchangeContext[] = [];
  private finishedWhileDraining = 0;
  private readonly reloadListeners: Array<() => void> = [];
  readonly startedAt = Date.now();
  readonly addresses: BalancerAddresses = { tcp: {} };
  readonly metrics;
  readonly shares: ShareWindow;
  private readonly onEjection: BalancerOptions['onEjection'];

  constructor(
    public spec: BalancerSpec,
    private readonly env: NodeJS.ProcessEnv = process.env,
    options: BalancerOptions = {},
  ) {
    this.isTrusted = trustedPeers(spec.trustedProxies);
    this.onEjection = options.onEjection;
    this.accessLog = createAccessLog(spec.accessLog, options.accessLogSink);
    this.health = new ActiveHealthChecks(env, {
      ...(options.remoteHealth ? { remote: true } : {}),
      ...(options.onHealthVerdict ? { onVerdict: options.onHealthVerdict } : {}),
    });
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
    this.shares = new ShareWindow(() => [
      ...[...this.routes.values()].map((r) => r.pool),
      ...this.tcpPools.values(),
    ]);
  }

  /** Add or replace an HTTP route. */
  addRoute(spec: RouteSpec): void {
    const existing = this.routes.get(spec.name);
    if (existing && existing.pool.algorithm === spec.algorithm) {
      // Same pool: upstreams that stay keep their connections, health and counters.
      existing.pool.setUpstreams(spec.upstreams);
      existing.spec = spec;
      if (!sameHealth(existing.pool, spec.health, this.health)) this.health.watch(existing.pool, spec.health);
    } else {
      // A new picker needs a new pool; requests in flight finish on the old one's connections.
      if (existing) existing.pool.setUpstreams([]);
      const pool = this.newPool(spec.name, spec.algorithm, spec.upstreams, true);
      this.routes.set(spec.name, {
        spec,
        pool,
        budget: existing?.budget ?? new RetryBudget(this.spec.retry),
      });
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

  /** Active health verdicts from the process that runs the checks (`remoteHealth`). */
  applyHealthVerdicts(verdicts: Array<[string, boolean]>): void {
    for (const [key, healthy] of verdicts) this.health.apply(key, healthy);
  }

  /** A passive ejection decided by another worker (`onEjection` there): applied here too. */
  applyEjection(e: Ejection): void {
    const pool = this.routes.get(e.pool)?.pool ?? this.tcpPools.get(e.pool);
    const u = pool?.upstreams.find((x) => x.id === e.upstream);
    if (pool && u) pool.applyEjection(u, e.until, e.ejections, Date.now());
  }

  /** Every active health verdict so far, by `route\0upstream`. */
  healthVerdicts(): Array<[string, boolean]> {
    return this.health.snapshot();
  }

  /**
   * Run the control work only, listening on nothing: active health checks (and, with the
   * catalog follower, membership). The primary of `lb serve --workers` runs one so.
   */
  startControl(): void {
    this.health.start();
  }

  routeNames(): string[] {
    return [...this.routes.keys()];
  }

  /**
   * Listen on every address, or on none: when one listener fails (a port taken), the ones
   * already open are closed before the error goes up, so nothing stays half-started.
   */
  async start(): Promise<BalancerAddresses> {
    try {
      await this.listenAll();
    } catch (error) {
      await this.close();
      throw error;
    }
    this.health.start();
    this.shares.start();
    return this.addresses;
  }

  private async listenAll(): Promise<void> {
    const tls = this.spec.tls;
    if (this.spec.listen) {
      const redirectPort = tls?.redirectHttp ? tls.listen.port : undefined;
      const server = this.httpServer(createHttpServer(this.serverOptions()), 'http', redirectPort);
      const listener = redirectPort === undefined ? this.fastListener(server, 'http') : server;
      this.addresses.http = await this.listen(listener, this.spec.listen.host, this.spec.listen.port, 'HTTP');
    }
    if (tls) {
      const { SNICallback, cert, key } = await this.tlsOptions();
      const server = this.httpServer(
        createHttpsServer({ ...this.serverOptions(), SNICallback, cert, key }),
        'https',
      );
      const listener = this.fastListener(server, 'https', { SNICallback, cert, key });
      this.addresses.https = await this.listen(listener, tls.listen.host, tls.listen.port, 'HTTPS');
    }
    for (const t of this.spec.tcp) {
      const proxy = createTcpProxy(this.spec, this.tcpPools.get(t.name)!);
      proxy.on('connection', (s: Socket) => this.track(this.tunnels, s));
      this.addresses.tcp[t.name] = await this.listen(proxy, t.listen.host, t.listen.port, `TCP ${t.name}`);
    }
    if (this.spec.admin) {
      const self = this;
      const admin = createAdminServer({
        status: () => this.status(),
        metrics: this.metrics,
        // Read per request, so a reload can change it.
        get token() {
          return self.spec.admin?.token;
        },
      });
      admin.on('connection', (s: Socket) => this.track(this.sockets, s));
      this.addresses.admin = await this.listen(admin, this.spec.admin.host, this.spec.admin.port, 'admin');
    }
  }

  /** Stop at once: every connection is closed, in flight or not. */
  async close(): Promise<void> {
    this.health.stop();
    this.shares.stop();
    for (const s of [...this.sockets, ...this.tunnels]) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    const pools = [...[...this.routes.values()].map((r) => r.pool), ...this.tcpPools.values()];
    await Promise.all(pools.flatMap((p) => p.upstreams.map((u) => u.dispatcher?.destroy().catch(() => {}))));
    for (const p of pools) for (const u of p.upstreams) u.connections?.destroyAll();
    this.accessLog?.flush();
  }

  /**
   * Stop gracefully: stop accepting, let the requests in flight finish (answered with
   * `Connection: close`) for up to `timeoutMs`, close idle keep-alive connections at once, then
   * close tunnels and whatever is left. Resolves to what happened, for the one line the CLI prints.
   */
  async drain(
    timeoutMs = this.spec.drainTimeoutMs,
    onStopped?: (inFlight: number) => void,
  ): Promise<DrainReport> {
    const started = performance.now();
    this.draining = true;
    for (const c of this.contexts) c.draining = true;
    this.finishedWhileDraining = 0;
    const inFlightAtStart = this.inflightCount;
    for (const res of this.inflight) if (!res.headersSent) res.shouldKeepAlive = false;
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const s of this.httpServers) s.closeIdleConnections();
    this.closeIdleFastClients();
    onStopped?.(inFlightAtStart);
    const deadline = Date.now() + timeoutMs;
    while (this.inflightCount > 0 && Date.now() < deadline) {
      await new Promise<void>((r) => {
        this.onIdle = r;
        setTimeout(r, Math.min(100, Math.max(1, deadline - Date.now())));
      });
      for (const s of this.httpServers) s.closeIdleConnections();
      this.closeIdleFastClients();
    }
    this.onIdle = undefined;
    // Counted before close(): the requests it cuts fire 'close' too.
    const cut = this.inflightCount;
    const completed = this.finishedWhileDraining;
    const tunnels = this.tunnels.size;
    await this.close();
    await closed;
    return {
      inFlight: inFlightAtStart,
      completed,
      cut,
      tunnelsClosed: tunnels,
      ms: Math.round(performance.now() - started),
    };
  }

  private onIdle: (() => void) | undefined;

  private closeIdleFastClients(): void {
    for (const c of this.fastClients) {
      if (c.idle) c.close();
      else c.closeAfter = true;
    }
  }

  /**
   * Apply a new spec without dropping connections: routes are added, replaced or removed by
   * name (upstreams that stay keep their connections and state), and policies, trusted proxies,
   * the upstream header and the admin token change for the next request. Listen addresses, TLS
   * and TCP listeners need a restart: they are named in the result and left as they are.
   */
  reload(next: BalancerSpec): ReloadReport {
    // Everything that can fail runs before anything changes: a bad file keeps the running config.
    const isTrusted = trustedPeers(next.trustedProxies);
    const needsRestart: string[] = [];
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    if (!same(this.spec.listen, next.listen)) needsRestart.push('listen');
    if (!same(this.spec.tls, next.tls)) needsRestart.push('tls');
    if (!same(this.spec.admin?.host, next.admin?.host) || !same(this.spec.admin?.port, next.admin?.port))
      needsRestart.push('admin');
    if (!same(this.spec.accessLog, next.accessLog)) needsRestart.push('accessLog');
    if (this.spec.maxHeaderBytes !== next.maxHeaderBytes) needsRestart.push('maxHeaderBytes');
    if (!same(this.spec.timeouts, next.timeouts)) needsRestart.push('timeouts');
    const tcpShape = (s: BalancerSpec) => s.tcp.map((t) => [t.name, t.listen, t.algorithm]);
    if (!same(tcpShape(this.spec), tcpShape(next))) needsRestart.push('tcp listeners');
    // Keep what cannot change live, take the rest.
    const previous = this.spec;
    // Built whole, without `delete`: an object that loses a property leaves V8's fast shape, and
    // every read of the spec on the hot path would become a dictionary lookup.
    const { admin: _admin, listen: _listen, tls: _tls, accessLog: _accessLog, ...live } = next;
    const admin =
      previous.admin && next.admin ? { ...previous.admin, ...pickToken(next.admin) } : previous.admin;
    this.spec = {
      ...live,
      ...(previous.listen ? { listen: previous.listen } : {}),
      ...(admin ? { admin } : {}),
      ...(previous.tls ? { tls: previous.tls } : {}),
      ...(previous.accessLog ? { accessLog: previous.accessLog } : {}),
      timeouts: previous.timeouts,
      maxHeaderBytes: previous.maxHeaderBytes,
      tcp: previous.tcp.map((t) => next.tcp.find((n) => n.name === t.name) ?? t),
    };
    for (const c of this.contexts) c.spec = this.spec;
    this.isTrusted = isTrusted;
    const policies = {
      outlier: this.spec.outlier,
      circuit: this.spec.circuit,
      slowStartMs: this.spec.slowStartMs,
    };
    const wanted = new Set(this.spec.routes.map((r) => r.name));
    const report: ReloadReport = { added: [], changed: [], removed: [], needsRestart };
    for (const r of this.spec.routes) {
      const existing = this.routes.get(r.name);
      if (!existing) report.added.push(r.name);
      else if (!same(existing.spec, r) || existing.pool.algorithm !== r.algorithm)
        report.changed.push(r.name);
      this.addRoute(r);
    }
    for (const name of this.routeNames()) {
      // Routes the catalog made are the catalog's to remove.
      if (!wanted.has(name) && !name.startsWith('catalog:')) {
        this.removeRoute(name);
        report.removed.push(name);
      }
    }
    for (const t of this.spec.tcp) {
      const pool = this.tcpPools.get(t.name);
      if (!pool) continue;
      if (!t.service) pool.setUpstreams(t.upstreams);
      this.health.watch(pool, t.health);
    }
    for (const r of this.routes.values()) r.pool.policies = policies;
    for (const p of this.tcpPools.values()) p.policies = policies;
    this.health.sync();
    for (const listener of this.reloadListeners) listener();
    return report;
  }

  /** Called after every reload (the catalog follower refreshes routes that name a service). */
  onReload(listener: () => void): void {
    this.reloadListeners.push(listener);
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
    const pool = new UpstreamPool(
      name,
      algorithm,
      { outlier: this.spec.outlier, circuit: this.spec.circuit, slowStartMs: this.spec.slowStartMs },
      upstreams,
      (_pool, added, removed) => {
        if (http)
          for (const u of added) {
            u.dispatcher = this.dispatcherFor(u);
            u.connections = new UpstreamConnections(
              u.address,
              u.port,
              30_000,
              this.spec.circuit.maxConcurrent,
            );
          }
        for (const u of removed) {
          void u.dispatcher?.close().catch(() => {});
          u.connections?.close();
        }
        this.health.sync();
      },
    );
    const tell = this.onEjection;
    if (tell)
      pool.onEject = (u) =>
        tell({ pool: name, upstream: u.id, until: u.ejectedUntil, ejections: u.ejections });
    return pool;
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

  /**
   * What an exchange reads of the balancer, live: a reload replaces the spec, trust and routes.
   * `spec` and `draining` are plain fields the balancer rewrites when its own change (a getter
   * costs a call on every read of the hot path).
   */
  private exchangeContext(proto: 'http' | 'https'): FastExchangeContext {
    const ctx: FastExchangeContext = {
      spec: this.spec,
      proto,
      isTrusted: (ip) => this.isTrusted(ip),
      accessLog: this.accessLog,
      draining: this.draining,
      currentRoute: (name) => this.routes.get(name),
    };
    this.contexts.push(ctx);
    return ctx;
  }

  /** In-flight requests of both paths: what a drain waits for. */
  private get inflightCount(): number {
    return this.inflight.size + this.fastInflight;
  }

  /** A request ended (either path): counted, and the drain woken when it was the last. */
  private requestEnded(): void {
    if (!this.draining) return;
    this.finishedWhileDraining++;
    if (this.inflightCount === 0) this.onIdle?.();
  }

  private httpServer<S extends Server>(server: S, proto: 'http' | 'https', redirectTo?: number): S {
    const ctx: ExchangeContext = this.exchangeContext(proto);
    this.httpServers.push(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.inflight.add(res);
      res.on('close', () => {
        this.inflight.delete(res);
        this.requestEnded();
      });
      // While draining, every answer closes its connection, so clients reconnect elsewhere.
      if (this.draining) res.shouldKeepAlive = false;
      if (redirectTo !== undefined) return redirect(req, res, redirectTo);
      const routed = this.router.match(req.headers.host, req.url ?? '/');
      if (!routed) return noRoute(req, res);
      new Exchange(ctx, routed.route, req, res, routed.path, performance.now()).start();
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.track(this.tunnels, socket);
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
    server.on('connection', (s: Socket) => this.track(this.sockets, s));
    return server;
  }

  /**
   * The plain-HTTP listener of the fast HTTP/1.1 path (src/balancer/h1): it reads requests on
   * raw sockets and hands a connection to `fallback` (Node's server, never listening itself)
   * when a request is outside the subset it takes: upgrades, chunked bodies, an `Expect` other
   * than 100-continue, HTTP/1.0, anything malformed (see request-head.ts). For HTTPS the listener is a TLS server with the same certificates and
   * the handover goes through `secureConnection`, as Node's HTTPS server takes its connections.
   */
  private fastListener(
    fallback: Server,
    proto: 'http' | 'https',
    tls?: Pick<TlsServerOptions, 'SNICallback' | 'cert' | 'key'>,
  ): NetServer {
    // Node's server starts its header/request timeout checks when it listens; this one never does.
    fallback.emit('listening');
    const ctx: FastContext = {
      exchange: this.exchangeContext(proto),
      route: (host, url) => this.router.match(host, url),
      handOver: (socket, pending) => {
        fallback.emit(tls ? 'secureConnection' : 'connection', socket);
        if (pending) socket.emit('data', pending);
        socket.resume();
      },
      exchangeStarted: () => {
        this.fastInflight++;
      },
      exchangeEnded: () => {
        this.fastInflight--;
        this.requestEnded();
      },
    };
    const accept = (socket: Socket): void => {
      this.track(this.sockets, socket);
      const client = new ClientConnection(socket, ctx);
      this.fastClients.add(client);
      socket.once('close', () => this.fastClients.delete(client));
    };
    const server = tls
      ? createTlsServer({ ...tls, allowHalfOpen: true, noDelay: true, ALPNProtocols: ['http/1.1'] }, accept)
      : createNetServer({ allowHalfOpen: true, noDelay: true }, accept);
    server.on('close', () => fallback.close());
    return server;
  }

  private track(set: Set<Duplex>, s: Duplex): void {
    set.add(s);
    s.once('close', () => set.delete(s));
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

export interface BalancerOptions {
  /** Active health verdicts come from `applyHealthVerdicts`; this process probes nothing. */
  remoteHealth?: boolean;
  /** Each settled active health transition (the primary passes them on to its workers). */
  onHealthVerdict?: (key: string, healthy: boolean) => void;
  /** Where access log lines go instead of the configured stream (a worker: to its primary). */
  accessLogSink?: AccessLogSink;
  /** Each passive ejection decided here (a worker tells its primary, which tells the others). */
  onEjection?: (e: Ejection) => void;
}

/** A passive ejection, as worker processes share it: the upstream is out until `until` (epoch ms). */
export interface Ejection {
  pool: string;
  upstream: string;
  until: number;
  /** Ejections in a row so far (the next one lasts twice as long). */
  ejections: number;
}

export interface DrainReport {
  /** Requests in flight when the drain began. */
  inFlight: number;
  /** Requests that finished during the drain (those, plus any sent on open connections meanwhile). */
  completed: number;
  /** Requests still running at the drain timeout, cut. */
  cut: number;
  /** WebSocket and TCP-mode connections closed at the end. */
  tunnelsClosed: number;
  ms: number;
}

export interface ReloadReport {
  added: string[];
  changed: string[];
  removed: string[];
  /** Settings that changed in the file but only take effect after a restart. */
  needsRestart: string[];
}

function pickToken(admin: NonNullable<BalancerSpec['admin']>): { token?: string } {
  return admin.token ? { token: admin.token } : {};
}

function sameHealth(pool: UpstreamPool, next: ActiveHealth | undefined, checks: ActiveHealthChecks): boolean {
  return JSON.stringify(checks.healthOf(pool)) === JSON.stringify(next);
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
