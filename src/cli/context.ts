import type { Command } from 'commander';
import { Output } from '../core/output.js';

export type { CommandContext } from '../core/command-context.js';

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
