import { resolve } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-file.js';
import type { CommandContext } from '../../core/command-context.js';
import { ExitCode } from '../../core/exit-codes.js';
import { type ExportOptions, ensureRuntimeDir, renderFromOptions } from './export-inputs.js';

export interface GenerateOptions extends ExportOptions {
  output?: string;
}

/**
 * `portico lb generate --target nginx|haproxy|caddy [-o FILE]`: a complete gateway
 * configuration from the same inputs as `lb serve`. To stdout, or written atomically to FILE
 * (then the runtime folder is created too, so the file runs as is).
 */
export async function generateCommand(ctx: CommandContext, opts: GenerateOptions): Promise<number> {
  const r = await renderFromOptions(ctx, opts, opts.output);
  if (!opts.output) {
    if (ctx.out.json)
      ctx.out.result({ target: r.exporter.target, runtimeDir: r.runtimeDir, config: r.text }, () => {});
    else process.stdout.write(r.text);
    return ExitCode.Ok;
  }
  const path = resolve(ctx.cwd, opts.output);
  ensureRuntimeDir(r.runtimeDir);
  const written = writeFileAtomic(path, r.text);
  const doc = { target: r.exporter.target, path, runtimeDir: r.runtimeDir, backup: written.backup ?? null };
  ctx.out.result(doc, () => {
    ctx.out.line(
      `wrote ${path} (${r.exporter.target})${written.backup ? `; previous kept as ${written.backup}` : ''}`,
    );
    ctx.out.line(ctx.out.c.dim(`runtime folder (pid, temp, logs): ${r.runtimeDir}`));
  });
  return ExitCode.Ok;
}
