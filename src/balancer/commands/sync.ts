import { resolve } from 'node:path';
import type { CommandContext } from '../../core/command-context.js';
import { parseDuration } from '../../core/duration.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { listenersOf } from '../../exporters/exporter.js';
import type { SyncResult } from '../../exporters/sync.js';
import { type ExportOptions, renderFromOptions } from './export-inputs.js';

export interface SyncOptions extends ExportOptions {
  to?: string;
  runtimeApi?: string;
  watch?: boolean;
  debounce?: string;
}

/** How long a burst of catalog changes is collected into one pass (nginx reloads cost most). */
export const defaultDebounceMs = { nginx: 1000, haproxy: 50, caddy: 200, traefik: 200 } as const;

/**
 * `portico lb sync --target … --to FILE [--runtime-api SOCKET] [--watch]`: make the running
 * gateway follow the catalog. One pass by default; with --watch, a pass after every burst of
 * catalog changes (the store's watch) until Ctrl-C. Exit 0 when in sync, 1 when a pass rolled
 * back or failed, 2 refused.
 */
export async function syncCommand(ctx: CommandContext, opts: SyncOptions): Promise<number> {
  if (!opts.to)
    throw new PorticoError('E_USAGE', 'lb sync needs --to PATH (the configuration file the gateway runs)', {
      hint: 'Example: portico lb sync --target haproxy --to ./haproxy.cfg --from-catalog --watch',
    });
  if (opts.runtimeApi && opts.target !== 'haproxy')
    throw new PorticoError('E_USAGE', '--runtime-api is HAProxy only', {
      hint: 'Caddy is synced through its admin API (/load), nginx by a reload, Traefik by its watched file.',
    });
  const to = resolve(ctx.cwd, opts.to);
  const runtimeApi = opts.runtimeApi ? resolve(ctx.cwd, opts.runtimeApi) : undefined;
  const { syncOnce } = await import('../../exporters/sync.js');
  const pass = async (): Promise<SyncResult & { target: string }> => {
    const r = await renderFromOptions(ctx, opts, to);
    const result = await syncOnce({
      exporter: r.exporter,
      spec: r.spec,
      text: r.text,
      to,
      runtimeDir: r.runtimeDir,
      listeners: listenersOf(r.spec),
      ...(runtimeApi ? { runtimeApi } : {}),
    });
    return { target: r.exporter.target, ...result };
  };
  if (!opts.watch) {
    const result = await pass();
    ctx.out.result(result, () => ctx.out.line(describe(result, ctx)));
    return failed(result) ? ExitCode.Problems : ExitCode.Ok;
  }
  return await watch(ctx, opts, pass);
}

async function watch(
  ctx: CommandContext,
  opts: SyncOptions,
  pass: () => Promise<SyncResult & { target: string }>,
): Promise<number> {
  const target = opts.target as keyof typeof defaultDebounceMs;
  const debounceMs = opts.debounce
    ? parseDuration(opts.debounce, '--debounce')
    : (defaultDebounceMs[target] ?? 200);
  const { openProjectCatalog } = await import('../../store/for-project.js');
  const { selectorFor } = await import('../../project/index.js');
  // --store > PORTICO_STORE > portico.yaml's store: > the default catalog, like every command.
  const store = await openProjectCatalog(selectorFor(ctx), opts.store, ctx.env);
  let passes = 0;
  let problems = 0;
  let last: (SyncResult & { target: string }) | undefined;
  // One pass at a time; changes during a pass cause exactly one more.
  let running: Promise<void> | undefined;
  let again = false;
  const runPass = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          last = await pass();
          passes++;
          if (failed(last)) problems++;
          if (ctx.out.json) ctx.out.writeStdout(`${JSON.stringify(last)}\n`);
          else if (last.status !== 'unchanged') ctx.out.line(describe(last, ctx));
        } catch (error) {
          problems++;
          ctx.out.warn(`sync pass failed: ${(error as Error).message}`);
        }
      } while (again && !ctx.signal.aborted);
    })();
    await running;
    running = undefined;
  };
  try {
    if (!(opts.fromCatalog || opts.catalog))
      ctx.out.note(
        'lb sync --watch: no --from-catalog; only config routes naming a service follow the catalog',
      );
    const from = await store.index();
    await runPass();
    if (!ctx.out.json)
      ctx.out.line(ctx.out.c.dim(`following the catalog (change index ${from}); Ctrl-C stops`));
    let timer: NodeJS.Timeout | undefined;
    for await (const _event of store.watch(from, ctx.signal)) {
      clearTimeout(timer);
      timer = setTimeout(() => void runPass(), debounceMs);
    }
    clearTimeout(timer);
    await running;
  } finally {
    await store.close();
  }
  ctx.out.note(`lb sync: ${passes} passes, ${problems} problems${last ? `; last: ${last.status}` : ''}`);
  return problems > 0 ? ExitCode.Problems : ExitCode.Ok;
}

const failed = (r: SyncResult): boolean => r.status === 'rolled-back' || r.status === 'failed';

function describe(r: SyncResult & { target: string }, ctx: CommandContext): string {
  const { c } = ctx.out;
  if (r.via === 'runtime-api') {
    if (r.status === 'unchanged') return `${c.green('●')} ${r.target} already matches the catalog`;
    const changes = r.changes.map(
      (x) =>
        `${{ add: '+', remove: '-', weight: '~', ready: '↑' }[x.action]}${x.address} (${x.backend})${x.pending ? ' [in maintenance until its connections close]' : ''}`,
    );
    return `${c.green('●')} synced ${r.target} through its runtime API: ${changes.join(', ') || 'file only'}; ${r.path} rewritten`;
  }
  const line = {
    'dry-run': '',
    unchanged: `${c.green('●')} ${r.path} is up to date`,
    deployed: `${c.green('●')} ${r.target} ${r.action === 'written' ? 'file written' : r.action === 'start' ? 'started' : 'reloaded'} with ${r.path}`,
    'rolled-back': `${c.red('●')} rolled back: ${r.reason}`,
    failed: `${c.red('●')} sync failed: ${r.reason}`,
    synced: '',
  }[r.status];
  return line;
}
