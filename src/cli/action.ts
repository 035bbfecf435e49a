import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeError, isPorticoError, PorticoError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Output } from '../core/output.js';
import { type CommandContext, type GlobalOptions, outputFor } from './context.js';

/** A command implementation: returns the exit code (0 healthy, 1 problems found). */
export type CommandImpl<Args extends unknown[], Opts> = (
  ctx: CommandContext,
  opts: Opts,
  ...args: Args
) => Promise<number | undefined> | number | undefined;

/**
 * Adapts a command implementation to commander: builds the context, turns thrown errors into a
 * coded message and exit 2, and sets the exit code. Never calls process.exit, so open handles
 * (servers, watchers) are closed by the implementation rather than cut off.
 */
export function action<Args extends unknown[], Opts = Record<string, unknown>>(
  impl: CommandImpl<Args, Opts>,
) {
  return async (...commanderArgs: unknown[]): Promise<void> => {
    const command = commanderArgs[commanderArgs.length - 1] as Command;
    const opts = commanderArgs[commanderArgs.length - 2] as Opts;
    const args = commanderArgs.slice(0, -2) as Args;
    const out = outputFor(command);
    const controller = new AbortController();
    const onSignal = (): void => {
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const ctx = contextFor(command, out, controller.signal);
      process.exitCode = (await impl(ctx, opts, ...args)) ?? ExitCode.Ok;
    } catch (error) {
      process.exitCode = reportError(out, error);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  };
}

function contextFor(command: Command, out: Output, signal: AbortSignal): CommandContext {
  const g = command.optsWithGlobals<GlobalOptions>();
  let cwd = process.cwd();
  if (g.directory !== undefined) {
    cwd = resolve(cwd, g.directory);
    if (!isDirectory(cwd)) {
      throw new PorticoError('E_USAGE', `-C ${g.directory}: no such directory`, {
        hint: 'Pass the folder that holds compose.yaml or portico.yaml.',
      });
    }
  }
  return {
    out,
    env: process.env,
    signal,
    cwd,
    project: {
      ...(g.project !== undefined ? { name: g.project } : {}),
      ...(g.profile?.length ? { profiles: g.profile } : {}),
    },
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Print an error the user can act on; returns the exit code. */
export function reportError(out: Output, error: unknown): number {
  const e = isPorticoError(error)
    ? error
    : new PorticoError('E_INTERNAL', describeError(error), {
        hint: 'This is a bug in Portico; rerun with --verbose and report the output.',
        cause: error,
      });
  if (out.json) out.result({ ok: false, error: e.toJSON() }, () => {});
  out.writeStderr(`${out.c.red('error')}${out.c.dim(`[${e.code}]`)}: ${e.message}\n`);
  if (e.hint) out.writeStderr(`  ${out.c.dim('hint:')} ${e.hint}\n`);
  if (e.code === 'E_INTERNAL' || process.env.PORTICO_DEBUG) {
    const stack = (e.cause as Error | undefined)?.stack ?? e.stack;
    if (stack) out.log.debug(stack);
  }
  return e.exitCode;
}
