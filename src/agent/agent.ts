import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClusterMember } from '../cluster/member.js';
import { formatHostPort, type HostPort } from '../core/address.js';
import { PorticoError } from '../core/errors.js';
import { Monitor, type MonitorEvent } from '../discovery/monitor.js';
import { secretPolicy } from '../discovery/secret-policy.js';
import type { SourceOptions } from '../discovery/source.js';
import { createSources } from '../discovery/sources/index.js';
import { loadProject, namespaceOf, type Project, type ProjectSelector } from '../project/index.js';
import { manifestStoreOf, openStore, type Store } from '../store/index.js';
import type { AccessPolicy } from './access.js';
import { Alerter, type PreparedAlerts, prepareAlerts } from './alerts/alerter.js';
import { dashboardDataRoutes } from './api/dashboard-data.js';
import { mountApi } from './api/mount.js';
import { declaredBalancers, EmbeddedBalancers, prepareBalancers } from './balancers.js';
import { joinCluster, reloadGateways } from './cluster-join.js';
import { type AgentContext, invalidateCatalog, readCatalog } from './context.js';
import { ChangeFeed } from './feed.js';
import { Router } from './http/router.js';
import { EventHub } from './http/sse.js';
import { dashboardRoutes } from './http/static.js';
import { type AgentMetrics, createAgentMetrics } from './metrics.js';

export interface AgentOptions {
  listen: HostPort;
  access: AccessPolicy;
  selector: ProjectSelector;
  /** --store URL (else PORTICO_STORE, else the state directory's catalog.db). */
  store?: string | undefined;
  /** Source names (--source); undefined: every source that applies to the project. */
  sources?: string[] | undefined;
  /** false: no sources, serve and check the catalog as it is. */
  discover: boolean;
  env: NodeJS.ProcessEnv;
  warn: (message: string) => void;
  /** Progress worth a line on stderr (an embedded balancer reloaded). */
  note?: ((message: string) => void) | undefined;
  /** Admin endpoints (host:port) of Portico balancers the dashboard shows (--lb-admin). */
  balancers?: string[] | undefined;
  /** This host's name in the cluster (--node, else PORTICO_NODE, else the hostname). */
  node?: string | undefined;
  /** --on-leader: portico arguments the elected agent runs on election and catalog changes. */
  onLeader?: string[] | undefined;
  /** Settled check transitions (also sent to /api/v1/events). */
  onTransition?: (event: MonitorEvent) => void;
}

/** One generation of the project: its sources and monitor, replaced as a whole on reload. */
interface Cycle {
  project: Project | undefined;
  namespace: string;
  store: Store;
  monitor: Monitor;
  controller: AbortController;
  done: Promise<unknown>;
}

/**
 * `portico agent`: the project's sources → catalog → scheduler loop running continuously, and
 * one HTTP server in front of it (Portico's API, the Consul subset, Prometheus). Everything is
 * started in an order that can be undone: the server binds before any source or check runs, so
 * a taken port leaves nothing behind.
 */
export class Agent {
  private cycle!: Cycle;
  private readonly stopping = new AbortController();
  private readonly feed = new ChangeFeed();
  private readonly events = new EventHub();
  private metrics!: AgentMetrics;
  private alerter!: Alerter;
  private bound!: HostPort;
  /** This agent as one host of the catalog: lease, heartbeat, election, stale state. */
  private member!: ClusterMember;
  /** portico.yaml's `balancers:`, run in this process (src/agent/balancers.ts). */
  readonly balancers: EmbeddedBalancers;
  readonly startedAt = Date.now();
  reloads = 0;
  lastReload: number | undefined;

  private constructor(
    private readonly options: AgentOptions,
    private readonly base: Store,
    private readonly server: Server,
  ) {
    this.balancers = new EmbeddedBalancers(options.env, options.warn, options.note ?? (() => {}));
  }

  static async start(options: AgentOptions): Promise<Agent> {
    const project = await loadProject(options.selector);
    const namespace = namespaceOf(options.selector, project);
    // Balancer configs are read before anything opens or listens: a broken one starts nothing.
    const balancers = prepareBalancers(declaredBalancers(project), options.env);
    const base = await openStore(options.store, options.env, namespace, manifestStoreOf(project));
    const server = createServer();
    const agent = new Agent(options, base, server);
    try {
      agent.bound = await listen(server, options.listen);
    } catch (error) {
      await base.close();
      throw error;
    }
    try {
      agent.member = await joinCluster(base, options, project, {
        namespace: () => agent.cycle?.namespace ?? namespace,
        address: () => agent.address,
        feed: agent.feed,
      });
    } catch (error) {
      server.close();
      await base.close();
      throw error;
    }
    agent.metrics = createAgentMetrics({
      project: namespace,
      catalog: () => readCatalog(agent.cycle.store),
      index: () => agent.feed.index,
      sseClients: () => agent.events.size,
      startedAt: agent.startedAt,
    });
    agent.alerter = new Alerter({
      project: () => agent.cycle.namespace,
      catalog: () => readCatalog(agent.cycle.store),
      conflicts: async () => {
        const { runPortCheck } = await import('../ports/commands/check.js');
        // The agent's env (PORTICO_HOME): the reservations it reads are the ones its catalog sits next to.
        const request = { cwd: options.selector.cwd, env: options.env };
        return (await runPortCheck(request, { loaded: agent.cycle.project ?? null }, [])).conflicts;
      },
      warn: options.warn,
      signal: agent.stopping.signal,
    });
    const router = new Router();
    const ctx = agent.context();
    mountApi(router, ctx);
    dashboardDataRoutes(router, {
      store: () => agent.cycle.store,
      project: () => agent.cycle.namespace,
      loaded: () => agent.cycle.project,
      cwd: () => options.selector.cwd,
      // The health report opens the catalog itself: point it at the agent's --store.
      env: options.store ? { ...options.env, PORTICO_STORE: options.store } : options.env,
      // A getter: the embedded balancers change on reload.
      get balancers() {
        return agent.watchedBalancers();
      },
      signal: agent.stopping.signal,
    });
    dashboardRoutes(router);
    server.on('request', (req, res) => void router.handle(req, res));
    agent.feed.subscribe((event) => {
      // A change the index may not count (an etcd lease expiry) still reaches the feed; one the
      // loaded version already holds (its index was read after this event's write) keeps it.
      if (agent.cycle) invalidateCatalog(agent.cycle.store, event.index);
      agent.events.publish('catalog', event);
    });
    try {
      // Before any source or check runs: a balancer that cannot listen leaves nothing behind.
      await agent.balancers.start(balancers, agent.member.view(namespace));
      agent.cycle = await agent.begin(project, namespace);
    } catch (error) {
      await agent.stop();
      throw error;
    }
    return agent;
  }

  get address(): string {
    return formatHostPort(this.bound.host, this.bound.port);
  }

  get project(): string {
    return this.cycle.namespace;
  }

  get loaded(): Project | undefined {
    return this.cycle.project;
  }

  /** What this agent runs: GET /api/v1/agent. */
  describe() {
    return {
      pid: process.pid,
      listen: this.address,
      project: this.cycle.namespace,
      dir: this.cycle.project?.dir ?? this.options.selector.cwd,
      files: this.cycle.project?.files ?? [],
      exposed: this.options.access.exposed,
      tokenRequired: this.options.access.token !== undefined,
      startedAt: this.startedAt,
      reloads: this.reloads,
      lastReload: this.lastReload ?? null,
      /** Admin endpoints of the balancers it watches (--lb-admin, portico.yaml `balancers:`): where `lb status` looks. */
      balancers: this.watchedBalancers(),
      isLeader: this.member.isLeader,
      stale: this.member.stale,
      cluster: this.member.status(),
    };
  }

  /** SIGHUP: read the project's files again; on a broken file keep running what was loaded. */
  async reload(): Promise<void> {
    const project = await loadProject(this.options.selector);
    const namespace = namespaceOf(this.options.selector, project);
    const previous = this.cycle;
    previous.controller.abort();
    await previous.done;
    try {
      this.cycle = await this.begin(project, namespace);
    } catch (error) {
      // Never left without a loop: run what was loaded before, and say why the reload failed.
      this.cycle = await this.begin(previous.project, previous.namespace);
      throw error;
    }
    await this.balancers.reload(declaredBalancers(project), this.member.view(this.cycle.namespace));
    await reloadGateways(this.member, project);
    this.reloads++;
    this.lastReload = Date.now();
  }

  /** Admin endpoints shown on the dashboard and by `lb status`: --lb-admin, then the embedded ones. */
  watchedBalancers(): string[] {
    return [...new Set([...(this.options.balancers ?? []), ...this.balancers.admins()])];
  }

  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    this.events.close();
    // Drained while the catalog they follow is still open.
    await this.balancers.stop();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    if (this.cycle) {
      this.cycle.controller.abort();
      await this.cycle.done;
    }
    await this.alerter?.stop();
    await this.member?.close();
    await this.base.close();
  }

  private async begin(project: Project | undefined, namespace: string): Promise<Cycle> {
    const { options } = this;
    const store = this.member.view(namespace);
    // Secrets first: an unset variable fails the (re)load before anything is replaced.
    const alerts: PreparedAlerts | undefined = prepareAlerts(project?.manifest?.data.alerts, options.env);
    const controller = new AbortController();
    const sourceOptions: SourceOptions = {
      cwd: project?.dir ?? options.selector.cwd,
      env: options.env,
      ...(project ? { project } : {}),
      ...(project?.compose?.files ? { composeFiles: project.compose.files } : {}),
      ...(project?.manifest ? { manifest: project.manifest.path } : {}),
      ...(options.selector.profiles?.length ? { composeProfiles: options.selector.profiles } : {}),
      secrets: secretPolicy(project),
      onError: (source, error) => options.warn(`${source}: ${(error as Error).message}`),
    };
    const sources = options.discover ? await createSources(options.sources, sourceOptions) : [];
    const monitor = new Monitor({
      store: this.member.checksView(store),
      sources,
      env: options.env,
      signal: controller.signal,
      onError: options.warn,
      onEvent: (event) => {
        // Recorded before this event: a state whose status did not change moves no index.
        invalidateCatalog(store);
        this.events.publish('check', event);
        options.onTransition?.(event);
        this.alerter.poke();
      },
      onResult: ({ instanceId, service, check, result }) => {
        this.metrics.recordResult(service, check, result);
        this.alerter.observe(instanceId, check.id, result);
      },
    });
    const done = Promise.allSettled([
      monitor.run().catch((e) => options.warn(`monitor: ${(e as Error).message}`)),
      this.feed.run(store, controller.signal).catch((e) => options.warn(`watch: ${(e as Error).message}`)),
    ]);
    this.alerter.use(alerts);
    return { project, namespace, store, monitor, controller, done };
  }

  private context(): AgentContext {
    return {
      store: () => this.cycle.store,
      project: () => this.cycle.namespace,
      secrets: () => secretPolicy(this.cycle.project),
      access: this.options.access,
      feed: this.feed,
      events: this.events,
      metrics: this.metrics,
      alerts: () => this.alerter.view(),
      describe: () => this.describe(),
      reportTtl: async (record) => {
        const { store, monitor } = this.cycle;
        await store.reportTtl(record);
        monitor.ttlReported(record);
      },
      address: () => this.address,
      cluster: () => ({ stale: this.member.stale, isLeader: this.member.isLeader }),
      startedAt: this.startedAt,
      signal: this.stopping.signal,
    };
  }
}

/** Bind, or fail with a coded error before anything else has started. */
async function listen(server: Server, at: HostPort): Promise<HostPort> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(
        new PorticoError(
          'E_AGENT_LISTEN',
          `cannot listen on ${formatHostPort(at.host, at.port)}: ${error.code === 'EADDRINUSE' ? 'the port is already in use' : error.code === 'EADDRNOTAVAIL' ? 'no such local address' : error.message}`,
          { hint: 'Pick another port with --listen HOST:PORT (portico ports who PORT shows the holder).' },
        ),
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(at.port, at.host);
  });
  const address = server.address() as AddressInfo;
  return { host: at.host, port: address.port };
}
