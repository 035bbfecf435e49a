import type { CommandContext } from '../core/command-context.js';
import { loadProject, selectorFor } from '../project/index.js';
import { type EmitOptions, emitReport } from './emit.js';
import { Facts } from './facts.js';
import { selectChecks } from './filter.js';
import type { GatewayKind } from './gateway/read.js';
import { buildReport } from './report.js';
import { runChecks } from './runner.js';
import { checksFor } from './suites/index.js';

export interface TroubleshootOptions extends EmitOptions {
  file?: string[];
  manifest?: string;
  config?: string;
  kind?: GatewayKind;
  host?: string;
  url?: string[];
  passwordEnv?: string;
  only?: string[];
  skip?: string[];
  suppress?: string[];
}

/** `portico troubleshoot <suite> [target]` */
export async function troubleshootCommand(
  ctx: CommandContext,
  opts: TroubleshootOptions,
  suite: string,
  target?: string,
): Promise<number> {
  const started = performance.now();
  const { passwordInUrlWarning } = await import('./suites/database.js');
  for (const url of opts.url ?? []) {
    const warning = passwordInUrlWarning(url);
    if (warning) ctx.out.warn(warning);
  }
  const project = await loadProject(selectorFor(ctx, opts));
  const facts = new Facts({ ...ctx, file: opts.file, manifest: opts.manifest, loaded: project ?? null });
  const checks = await checksFor(suite, {
    cwd: ctx.cwd,
    facts,
    ...(target ? { target } : {}),
    ...(opts.file ? { files: opts.file } : {}),
    gateway: {
      ...(opts.config ? { config: opts.config } : {}),
      ...(opts.kind ? { kind: opts.kind } : {}),
      ...(opts.host ? { host: opts.host } : {}),
    },
    ...(opts.url ? { urls: opts.url } : {}),
    ...(opts.passwordEnv ? { passwordEnv: opts.passwordEnv } : {}),
  });
  const selected = selectChecks(checks, opts.only, opts.skip);
  const outcomes = await runChecks(selected, {
    cwd: ctx.cwd,
    env: ctx.env,
    facts,
    signal: ctx.signal,
    out: ctx.out,
  });
  const report = buildReport(
    `portico troubleshoot ${suite}`,
    target ?? ctx.cwd,
    outcomes,
    performance.now() - started,
    { ...(opts.suppress ? { suppress: opts.suppress } : {}) },
  );
  return emitReport(ctx, report, opts, ctx.out.verbose);
}
