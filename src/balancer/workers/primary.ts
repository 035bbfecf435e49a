import type { AddressInfo } from 'node:net';
import { formatHostPort } from '../../core/address.js';
import type { CommandContext } from '../../core/command-context.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { streamSink } from '../access-log.js';
import { createAdminServer } from '../admin.js';
import { Balancer, type DrainReport, type Ejection } from '../balancer.js';
import {
  announce,
  type CatalogLocation,
  drainLine,
  reload,
  type ServeCommandOptions,
  stoppingLine,
  stopRequested,
  withWorkersChange,
} from '../commands/serve.js';
import { AggregatorRegistry } from '../lean-deps.js';
import type { BalancerSpec } from '../model.js';
import type { BalancerStatus } from '../status.js';
import { mergeStatus } from './merge-status.js';
import { Supervisor } from './supervisor.js';

/**
 * `lb serve --workers N`: this process is the primary. It owns the control plane — the config
 * and SIGHUP reload, the one active health checker (a Balancer that listens on nothing, whose
 * verdicts go to every worker on each transition), the relay of passive ejections (one worker
 * ejects, every worker ejects until the same time), the catalog follower for that checker, the
 * admin listener (/status and /metrics summed over the workers), the access log writer — and
 * N workers proxy on the shared listening sockets. SIGTERM/Ctrl-C drains every worker.
 */
export async function serveWithWorkers(
  ctx: CommandContext,
  opts: ServeCommandOptions,
  spec: BalancerSpec,
  count: number,
  catalogAt: CatalogLocation | undefined,
): Promise<number> {
  const startedAt = Date.now();
  if (spec.tls && !(spec.tls.certFile && spec.tls.keyFile)) {
    // Created once here, not raced by N workers each creating the CA on first use.
    const { loadOrCreateDevCa } = await import('../tls/dev-ca.js');
    await loadOrCreateDevCa(ctx.env);
  }
  let supervisor: Supervisor | undefined;
  const control = new Balancer(spec, ctx.env, {
    onHealthVerdict: (key, healthy) =>
      supervisor?.broadcast({ portico: 'health', verdicts: [[key, healthy]] }),
  });
  const logSink = spec.accessLog ? streamSink(spec.accessLog) : undefined;
  // Passive ejections still running, by pool and upstream: a worker (re)started now gets them.
  const ejections = new Map<string, Ejection>();
  supervisor = new Supervisor(count, {
    startMessage: () => ({
      portico: 'start',
      spec: workerSpec(control.spec),
      ...(catalogAt ? { store: catalogAt } : {}),
      verdicts: control.healthVerdicts(),
      ejections: [...ejections.values()].filter((e) => e.until > Date.now()),
    }),
    onLog: (text) => logSink?.(text),
    onWarn: (message) => {
      if (message) ctx.out.warn(message);
    },
    // One worker saw an upstream fail enough to eject it: every worker ejects it, until the
    // same time, so no worker keeps sending there (passive health is shared, like active).
    onEjection: (ejection, from) => {
      const now = Date.now();
      for (const [k, e] of ejections) if (e.until <= now) ejections.delete(k);
      ejections.set(`${ejection.pool}\0${ejection.upstream}`, ejection);
      supervisor?.broadcast({ portico: 'eject', ejection }, from);
    },
  });
  const sup = supervisor;
  // Ctrl-C while the workers start: stop them, and start nothing more.
  const abortStart = (): void => void sup.kill();
  ctx.signal.addEventListener('abort', abortStart, { once: true });
  try {
    await sup.start();
  } finally {
    ctx.signal.removeEventListener('abort', abortStart);
  }
  if (ctx.signal.aborted) {
    await control.close();
    return ExitCode.Ok;
  }

  const stopCatalog = new AbortController();
  let store: Awaited<ReturnType<typeof import('../../store/index.js').openStore>> | undefined;
  let catalog: Promise<void> | undefined;
  let admin: import('node:http').Server | undefined;
  let adminAddress: AddressInfo | undefined;
  try {
    control.startControl();
    if (catalogAt) {
      const { openStore } = await import('../../store/index.js');
      const { followCatalog } = await import('../catalog.js');
      store = await openStore(catalogAt.url, ctx.env, catalogAt.project, catalogAt.manifest);
      catalog = followCatalog(control, store, stopCatalog.signal, (e) =>
        ctx.out.warn(`catalog: ${(e as Error).message}`),
      );
    }
    if (spec.admin) {
      const aggregator = new AggregatorRegistry();
      admin = createAdminServer({
        status: async () => merged(sup, startedAt),
        metrics: { metrics: () => aggregator.clusterMetrics(), contentType: aggregator.contentType },
        // Read per request, so a reload can change it.
        get token() {
          return control.spec.admin?.token;
        },
      });
      adminAddress = await listenAdmin(admin, spec.admin.host, spec.admin.port);
    }
  } catch (error) {
    await sup.kill();
    await control.close();
    stopCatalog.abort();
    await catalog;
    await store?.close();
    throw error;
  }

  const first = (await sup.statuses()).find((s): s is BalancerStatus => s !== undefined);
  announce(
    ctx,
    opts,
    spec,
    {
      ...(first?.listen.http ? { http: addressOf(first.listen.http) } : {}),
      ...(first?.listen.https ? { https: addressOf(first.listen.https) } : {}),
      ...(adminAddress ? { admin: adminAddress } : {}),
      tcp: Object.fromEntries(Object.entries(first?.listen.tcp ?? {}).map(([k, v]) => [k, addressOf(v)])),
    },
    sup.pids().map((p) => p.pid),
  );

  const onHangup = (): void =>
    reload(ctx, opts, (next) => {
      const report = withWorkersChange(opts, spec, next, control.reload(next));
      // The effective spec (what cannot change live kept), so every worker ends up the same.
      sup.broadcast({ portico: 'reload', spec: workerSpec(control.spec) });
      return report;
    });
  process.on('SIGHUP', onHangup);
  await stopRequested(ctx);
  process.off('SIGHUP', onHangup);

  stoppingLine(ctx, spec.drainTimeoutMs, await inFlight(sup));
  const reports = await sup.drain(spec.drainTimeoutMs);
  admin?.closeAllConnections();
  await new Promise<void>((r) => (admin ? admin.close(() => r()) : r()));
  await control.close();
  stopCatalog.abort();
  await catalog;
  await store?.close();
  if (process.channel) {
    process.removeAllListeners('disconnect');
    process.disconnect?.();
  }
  const line = `${drainLine(sum(reports))} (${reports.length} of ${count} workers reported)`;
  if (ctx.out.json) ctx.out.note(line);
  else ctx.out.line(line);
  return ExitCode.Ok;
}

/** What a worker runs: the same spec without the admin listener (the primary has it). */
function workerSpec(spec: BalancerSpec): BalancerSpec {
  const { admin: _admin, ...rest } = spec;
  return rest;
}

async function merged(sup: Supervisor, startedAt: number) {
  const docs = await sup.statuses();
  const pids = sup.pids();
  const present = docs.flatMap((d, i) => (d ? [{ doc: d, worker: pids[i]! }] : []));
  if (present.length === 0) throw new Error('no worker answered');
  return mergeStatus(
    present.map((p) => p.doc),
    present.map((p) => p.worker),
    startedAt,
  );
}

async function inFlight(sup: Supervisor): Promise<number> {
  const docs = await sup.statuses(1000);
  return docs.reduce(
    (n, d) => n + (d ? d.routes.reduce((m, r) => m + r.upstreams.reduce((k, u) => k + u.active, 0), 0) : 0),
    0,
  );
}

function sum(reports: DrainReport[]): DrainReport {
  return {
    inFlight: reports.reduce((n, r) => n + r.inFlight, 0),
    completed: reports.reduce((n, r) => n + r.completed, 0),
    cut: reports.reduce((n, r) => n + r.cut, 0),
    tunnelsClosed: reports.reduce((n, r) => n + r.tunnelsClosed, 0),
    ms: Math.max(0, ...reports.map((r) => r.ms)),
  };
}

function addressOf(hostPort: string): AddressInfo {
  const i = hostPort.lastIndexOf(':');
  const address = hostPort.slice(0, i);
  return { address, port: Number(hostPort.slice(i + 1)), family: address.includes(':') ? 'IPv6' : 'IPv4' };
}

async function listenAdmin(
  server: import('node:http').Server,
  host: string,
  port: number,
): Promise<AddressInfo> {
  return await new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new PorticoError(
          'E_LB_LISTEN',
          `cannot listen for admin on ${formatHostPort(host, port)}: ${error.code ?? error.message}`,
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
