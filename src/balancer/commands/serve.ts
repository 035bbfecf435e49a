import { availableParallelism } from 'node:os';
import type { CommandContext } from '../../core/command-context.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { ManifestStore } from '../../store/select.js';
import { Balancer, type BalancerAddresses, type DrainReport, type ReloadReport } from '../balancer.js';
import type { BalancerSpec } from '../model.js';
import { type ServeOptions, specFromOptions } from './spec-from-options.js';
import { parseWorkers } from './workers-option.js';

/**
 * `portico lb serve`: run the balancer until Ctrl-C / SIGTERM, then drain (stop accepting, let
 * requests in flight finish up to the drain timeout) and say what was drained. SIGHUP reloads
 * `--config` without dropping connections; a config that does not load keeps the running one.
 */
export async function serveCommand(ctx: CommandContext, opts: ServeCommandOptions): Promise<number> {
  const flagWorkers = opts.workers === undefined ? undefined : parseWorkers(opts.workers);
  const spec = specFromOptions(opts, ctx.env, ctx.cwd);
  // --workers, else the file's `workers:`, else one process.
  const workers = flagWorkers ?? (spec.workers === 'auto' ? availableParallelism() : (spec.workers ?? 1));
  const needsCatalog = spec.catalog || spec.routes.some((r) => r.service) || spec.tcp.some((t) => t.service);
  let catalogAt: CatalogLocation | undefined;
  if (needsCatalog) {
    // The catalog namespace of the project the balancer runs for (-C, --project, or this
    // folder's), resolved before anything listens: a broken project file starts nothing.
    const { loadProject, namespaceOf, selectorFor } = await import('../../project/index.js');
    const { manifestStoreOf } = await import('../../store/index.js');
    const selector = selectorFor(ctx);
    const project = await loadProject(selector);
    // --store > PORTICO_STORE > portico.yaml's store: > the default catalog, like every command;
    // plain data, so workers open the same catalog.
    const manifest = manifestStoreOf(project);
    catalogAt = {
      url: opts.store,
      project: namespaceOf(selector, project),
      ...(manifest ? { manifest } : {}),
    };
  }
  if (workers > 1) {
    const { serveWithWorkers } = await import('../workers/primary.js');
    return await serveWithWorkers(ctx, opts, spec, workers, catalogAt);
  }
  let store: Awaited<ReturnType<typeof import('../../store/index.js').openStore>> | undefined;
  if (catalogAt) {
    const { openStore } = await import('../../store/index.js');
    store = await openStore(catalogAt.url, ctx.env, catalogAt.project, catalogAt.manifest);
  }
  const balancer = new Balancer(spec, ctx.env);
  let addresses: Awaited<ReturnType<Balancer['start']>>;
  try {
    addresses = await balancer.start();
  } catch (error) {
    await store?.close();
    throw error;
  }
  let catalog: Promise<void> | undefined;
  const stopCatalog = new AbortController();
  if (store) {
    const { followCatalog } = await import('../catalog.js');
    catalog = followCatalog(balancer, store, stopCatalog.signal, (e) =>
      ctx.out.warn(`catalog: ${(e as Error).message}`),
    );
  }
  announce(ctx, opts, spec, addresses);

  const onHangup = (): void =>
    reload(ctx, opts, (next) => withWorkersChange(opts, spec, next, balancer.reload(next)));
  process.on('SIGHUP', onHangup);
  await stopRequested(ctx);
  process.off('SIGHUP', onHangup);
  const report = await balancer.drain(spec.drainTimeoutMs, (inFlight) =>
    stoppingLine(ctx, spec.drainTimeoutMs, inFlight),
  );
  stopCatalog.abort();
  await catalog;
  await store?.close();
  if (process.channel) {
    process.removeAllListeners('disconnect');
    process.disconnect?.();
  }
  const line = drainLine(report);
  if (ctx.out.json) ctx.out.note(line);
  else ctx.out.line(line);
  return ExitCode.Ok;
}

/** Where the catalog is, for a balancer that follows it. */
export interface CatalogLocation {
  url: string | undefined;
  project: string;
  /** portico.yaml's `store:` (with its folder), when the project names its catalog. */
  manifest?: ManifestStore;
}

export interface ServeCommandOptions extends ServeOptions {
  /** Worker processes: a count, or `auto` (one per available CPU). */
  workers?: string;
}

/** The result document, printed once at start (then the balancer serves). */
export function announce(
  ctx: CommandContext,
  opts: ServeOptions,
  spec: BalancerSpec,
  addresses: BalancerAddresses,
  workers?: number[],
): void {
  const doc = {
    http: addresses.http ? `http://${addresses.http.address}:${addresses.http.port}` : null,
    https: addresses.https ? `https://${addresses.https.address}:${addresses.https.port}` : null,
    admin: addresses.admin ? `http://${addresses.admin.address}:${addresses.admin.port}` : null,
    tcp: Object.fromEntries(Object.entries(addresses.tcp).map(([k, a]) => [k, `${a.address}:${a.port}`])),
    routes: spec.routes.map((r) => ({
      name: r.name,
      upstreams: r.upstreams.map((u) => u.id),
      algorithm: r.algorithm,
    })),
    drainTimeoutMs: spec.drainTimeoutMs,
    ...(workers ? { workers } : {}),
  };
  ctx.out.result(doc, () => {
    const { c } = ctx.out;
    if (doc.http) ctx.out.line(`${c.green('●')} HTTP  ${doc.http}`);
    if (doc.https) ctx.out.line(`${c.green('●')} HTTPS ${doc.https}`);
    for (const [name, a] of Object.entries(doc.tcp)) ctx.out.line(`${c.green('●')} TCP   ${a} (${name})`);
    if (doc.admin) ctx.out.line(`${c.dim('admin')} ${doc.admin}/status  ${doc.admin}/metrics`);
    for (const r of doc.routes)
      ctx.out.line(
        `${c.dim('route')} ${r.name}: ${r.upstreams.join(', ') || '(from the catalog)'} [${r.algorithm}]`,
      );
    if (workers) ctx.out.line(`${c.dim('workers')} ${workers.length} (pids ${workers.join(', ')})`);
    ctx.out.line(
      c.dim(`Ctrl-C to stop${opts.config ? `; kill -HUP ${process.pid} reloads ${opts.config}` : ''}`),
    );
  });
}

/**
 * Resolves on Ctrl-C / SIGTERM (the command's signal), or when the launcher that set heap flags
 * (cli/heap-flags.ts) dies without passing a signal on (SIGKILL): stop then rather than serve
 * on, orphaned.
 */
export async function stopRequested(ctx: CommandContext): Promise<void> {
  const launcherGone = new Promise<void>((resolve) => {
    if (process.channel) process.once('disconnect', () => resolve());
  });
  await Promise.race([
    launcherGone,
    new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    }),
  ]);
}

export function stoppingLine(ctx: CommandContext, drainTimeoutMs: number, inFlight: number): void {
  const line = `stopping: no new connections; waiting up to ${formatMs(drainTimeoutMs)} for ${inFlight} in-flight request${inFlight === 1 ? '' : 's'} (Ctrl-C again to stop at once)`;
  if (ctx.out.json) ctx.out.note(line);
  else ctx.out.line(ctx.out.c.dim(line));
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** "drained 3 in-flight requests in 412 ms; 0 cut" (and tunnels, when there were any). */
export function drainLine(r: DrainReport): string {
  const requests = `${r.completed} in-flight request${r.completed === 1 ? '' : 's'}`;
  const tunnels =
    r.tunnelsClosed > 0
      ? `; closed ${r.tunnelsClosed} WebSocket/TCP connection${r.tunnelsClosed === 1 ? '' : 's'}`
      : '';
  return `drained ${requests} in ${r.ms} ms; ${r.cut} cut${r.cut > 0 ? ' at the drain timeout' : ''}${tunnels}`;
}

/** The file's `workers:` changed (and no --workers overrides it): the process count needs a restart. */
export function withWorkersChange(
  opts: ServeCommandOptions,
  running: BalancerSpec,
  next: BalancerSpec,
  report: ReloadReport,
): ReloadReport {
  if (opts.workers === undefined && next.workers !== running.workers) report.needsRestart.push('workers');
  return report;
}

/** SIGHUP: re-read --config and apply it with `apply`; a file that does not load changes nothing. */
export function reload(
  ctx: CommandContext,
  opts: ServeOptions,
  apply: (next: BalancerSpec) => ReloadReport,
): void {
  if (!opts.config) {
    ctx.out.warn('SIGHUP: nothing to reload (started without --config); still serving');
    return;
  }
  let report: ReloadReport;
  try {
    report = apply(specFromOptions(opts, ctx.env, ctx.cwd));
  } catch (error) {
    const e = error as Error & { code?: string };
    ctx.out.warn(
      `reload of ${opts.config} failed, still serving the previous configuration: ${e.code ? `[${e.code}] ` : ''}${e.message}`,
    );
    return;
  }
  const parts = [
    `${report.added.length} route(s) added`,
    `${report.changed.length} changed`,
    `${report.removed.length} removed`,
  ];
  ctx.out.note(`reloaded ${opts.config}: ${parts.join(', ')}`);
  if (report.needsRestart.length > 0)
    ctx.out.warn(`${report.needsRestart.join(', ')} changed in ${opts.config}: restart to apply`);
}
