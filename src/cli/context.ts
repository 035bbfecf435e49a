import type { Command } from 'commander';
import { Output } from '../core/output.js';

/** What every command implementation receives: where to write, and when to stop. */
export interface CommandContext {
  out: Output;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly and release what they hold. */
  signal: AbortSignal;
  cwd: string;
  /** Which project the command is about (-C sets cwd; --project, --profile); see src/project. */
  project: { name?: string; profiles?: string[] };
}

export interface GlobalOptions {
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  directory?: string;
  project?: string;
  profile?: string[];
}

export function outputFor(command: Command): Output {
  const g = command.optsWithGlobals<GlobalOptions>();
  return new Output({
    json: g.json ?? false,
    // Commander sets color=true by default for --no-color; only an explicit flag should win.
    color: explicitColorFlag(),
    verbose: g.verbose ?? false,
    quiet: g.quiet ?? false,
  });
}

function explicitColorFlag(): boolean | undefined {
  if (process.argv.includes('--no-color')) return false;
  if (process.argv.includes('--color')) return true;
  return undefined;
}
