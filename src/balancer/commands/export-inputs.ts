import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CommandContext } from '../../core/command-context.js';
import { type Exporter, exporterFor } from '../../exporters/index.js';
import type { Store } from '../../store/index.js';
import type { BalancerSpec } from '../model.js';
import { type ServeOptions, specFromOptions } from './spec-from-options.js';
import { workersValue } from './workers-option.js';

export interface ExportOptions extends ServeOptions {
  target?: string;
  /** --from-catalog: the project's catalog fills the routes (as lb serve --catalog would). */
  fromCatalog?: boolean;
  runtimeDir?: string;
  /** --workers: nginx worker_processes / HAProxy nbthread (over the file's `workers:`). */
  workers?: string;
}

export interface Rendered {
  exporter: Exporter;
  spec: BalancerSpec;
  runtimeDir: string;
  text: string;
}

/**
 * What `lb generate` and `lb deploy` share: the same BalancerSpec as `lb serve` (same flags,
 * same file, same schema), the catalog's instances when asked, and the target's rendering.
 * `nextTo` is the file the config goes to: the runtime folder defaults to `<target>-run` beside it.
 */
export async function renderFromOptions(
  ctx: CommandContext,
  opts: ExportOptions,
  nextTo: string | undefined,
): Promise<Rendered> {
  const exporter = exporterFor(opts.target);
  const fromCatalog = Boolean(opts.fromCatalog);
  let spec = specFromOptions({ ...opts, catalog: Boolean(opts.catalog) || fromCatalog }, ctx.env, ctx.cwd);
  if (opts.workers !== undefined) spec = { ...spec, workers: workersValue(opts.workers) };
  const runtimeDir = opts.runtimeDir
    ? resolve(ctx.cwd, opts.runtimeDir)
    : resolve(nextTo ? dirname(resolve(ctx.cwd, nextTo)) : ctx.cwd, `${exporter.target}-run`);
  const render = (catalog?: Store) =>
    renderSpec({
      exporter,
      spec,
      runtimeDir,
      env: ctx.env,
      adminGiven: typeof opts.admin === 'string' || opts.admin === false,
      ...(catalog ? { catalog } : {}),
    });
  if (!needsCatalog(spec)) return await render();
  const { openProjectCatalog } = await import('../../store/for-project.js');
  const { selectorFor } = await import('../../project/index.js');
  const store = await openProjectCatalog(selectorFor(ctx), opts.store, ctx.env);
  try {
    return await render(store);
  } finally {
    await store.close();
  }
}

/** The spec names catalog services (`catalog: true`, or routes with `service:`). */
export function needsCatalog(spec: BalancerSpec): boolean {
  return spec.catalog || spec.routes.some((r) => r.service) || spec.tcp.some((t) => t.service);
}

export interface RenderInputs {
  exporter: Exporter;
  spec: BalancerSpec;
  runtimeDir: string;
  env: NodeJS.ProcessEnv;
  /** Where catalog routes get their instances (needed when `needsCatalog(spec)`). */
  catalog?: Store;
  /** The caller chose the admin endpoint (--admin ADDR or --no-admin): Caddy keeps that choice. */
  adminGiven: boolean;
}

/**
 * From a spec to the target's text: the catalog's instances, Caddy's own admin address, the
 * TLS files. Shared by `lb generate|deploy|sync` and the agent's gateway job (src/cluster/gateway-job.ts).
 */
export async function renderSpec(inputs: RenderInputs): Promise<Rendered> {
  const { exporter, runtimeDir } = inputs;
  let spec = inputs.spec;
  if (inputs.catalog && needsCatalog(spec)) {
    const { specFromCatalog } = await import('../../exporters/from-catalog.js');
    spec = await specFromCatalog(spec, inputs.catalog);
  }
  // Caddy's admin API is Caddy's own: only --admin moves it, so Portico's 9901 stays free for
  // lb serve (a config file's admin: is Portico's endpoint, with its token).
  if (exporter.target === 'caddy' && !inputs.adminGiven)
    spec = { ...spec, admin: { host: '127.0.0.1', port: 2019 } };
  // The gateway reads its certificate from files: issue (or reuse) them before rendering.
  const tls = spec.tls
    ? await (await import('../../exporters/tls-files.js')).tlsFilesFor(spec, runtimeDir, inputs.env)
    : undefined;
  return { exporter, spec, runtimeDir, text: exporter.render(spec, { runtimeDir, ...(tls ? { tls } : {}) }) };
}

/** The gateway writes its pid, temp folders and logs here; it must exist before it starts. */
export function ensureRuntimeDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}
