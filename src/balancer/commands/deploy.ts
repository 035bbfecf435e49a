import { resolve } from 'node:path';
import type { CommandContext } from '../../core/command-context.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { deploy } from '../../exporters/deploy.js';
import { listenersOf } from '../../exporters/exporter.js';
import { type ExportOptions, renderFromOptions } from './export-inputs.js';

export interface DeployOptions extends ExportOptions {
  to?: string;
  dryRun?: boolean;
}

/**
 * `portico lb deploy --target … --to PATH [--dry-run]`: validate with the gateway's binary,
 * write atomically with a backup, start or reload gracefully, check it answers, roll back if not.
 * Exit 0 deployed (or unchanged, or a dry run), 1 rolled back or failed, 2 refused.
 */
export async function deployCommand(ctx: CommandContext, opts: DeployOptions): Promise<number> {
  if (!opts.to)
    throw new PorticoError('E_USAGE', 'lb deploy needs --to PATH (the configuration file the gateway runs)', {
      hint: 'Example: portico lb deploy --target nginx --to ./nginx.conf --config portico-lb.yaml',
    });
  const to = resolve(ctx.cwd, opts.to);
  const r = await renderFromOptions(ctx, opts, to);
  const result = await deploy({
    exporter: r.exporter,
    text: r.text,
    to,
    runtimeDir: r.runtimeDir,
    listeners: listenersOf(r.spec),
    dryRun: Boolean(opts.dryRun),
  });
  const doc = { target: r.exporter.target, runtimeDir: r.runtimeDir, ...result };
  ctx.out.result(doc, () => {
    const { c } = ctx.out;
    if (result.status === 'dry-run') {
      ctx.out.line(result.diff ? result.diff.trimEnd() : c.dim(`${to} would not change`));
      ctx.out.line(c.dim('dry run: nothing written, nothing reloaded'));
      return;
    }
    const line = {
      unchanged: r.exporter.watchesFile
        ? `${c.green('●')} ${to} is already up to date`
        : `${c.green('●')} ${to} is already deployed and ${r.exporter.target} is running`,
      deployed:
        result.action === 'written'
          ? `${c.green('●')} deployed ${to}: ${r.exporter.target} picks the file up itself (file provider with watch)`
          : `${c.green('●')} deployed ${to}: ${r.exporter.target} ${result.action === 'start' ? 'started' : 'reloaded'} and answers`,
      'rolled-back': `${c.red('●')} rolled back: ${result.reason}; ${to} and ${r.exporter.target} are back on the previous configuration`,
      failed: `${c.red('●')} deploy failed: ${result.reason}`,
    }[result.status];
    ctx.out.line(line);
    if (result.backup) ctx.out.line(c.dim(`backup: ${result.backup}`));
  });
  return result.status === 'rolled-back' || result.status === 'failed' ? ExitCode.Problems : ExitCode.Ok;
}
