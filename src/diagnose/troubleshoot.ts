import type { CommandContext } from '../core/command-context.js';
import type { Output } from '../core/output.js';
import { loadProject, type ProjectRequest, selectorFor } from '../project/index.js';
import { type EmitOptions, emitReport } from './emit.js';
import { Facts } from './facts.js';
import { selectChecks } from './filter.js';
import type { GatewayKind } from './gateway/read.js';
import { buildReport, type Report } from './report.js';
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
  const { passwordInUrlWarning } = await import('./suites/database.js');
  for (const url of opts.url ?? []) {
    const warning = passwordInUrlWarning(url);
    if (warning) ctx.out.warn(warning);
  }
  const report = await troubleshootReport({ ...ctx, ...opts }, suite, target);
  return emitReport(ctx, report, opts, ctx.out.verbose);
}

/** What a troubleshoot run is about: the CLI's context and options, or a library caller's. */
export interface TroubleshootInput extends ProjectRequest, Omit<TroubleshootOptions, keyof EmitOptions> {
  signal?: AbortSignal | undefined;
  /** Progress on a terminal (the CLI); none for a library caller. */
  out?: Output | undefined;
}

/** Run one suite (or `all`) and return its report, without printing it. */
export async function troubleshootReport(
  input: TroubleshootInput,
  suite: string,
  target?: string,
): Promise<Report> {
  const started = performance.now();
  const project = await loadProject(selectorFor(input, input));
  const facts = new Facts({
    cwd: input.cwd,
    env: input.env,
    ...(input.project ? { project: input.project } : {}),
    file: input.file,
    manifest: input.manifest,
    loaded: project ?? null,
  });
  const checks = await checksFor(suite, {
    cwd: input.cwd,
    facts,
    ...(target ? { target } : {}),
    ...(input.file ? { files: input.file } : {}),
    gateway: {
      ...(input.config ? { config: input.config } : {}),
      ...(input.kind ? { kind: input.kind } : {}),
      ...(input.host ? { host: input.host } : {}),
    },
    ...(input.url ? { urls: input.url } : {}),
    ...(input.passwordEnv ? { passwordEnv: input.passwordEnv } : {}),
  });
  const selected = selectChecks(checks, input.only, input.skip);
  const outcomes = await runChecks(selected, {
    cwd: input.cwd,
    env: input.env,
    facts,
    signal: input.signal ?? new AbortController().signal,
    ...(input.out ? { out: input.out } : {}),
  });
  return buildReport(
    `portico troubleshoot ${suite}`,
    target ?? input.cwd,
    outcomes,
    performance.now() - started,
    {
      ...(input.suppress ? { suppress: input.suppress } : {}),
    },
  );
}
