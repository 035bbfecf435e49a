import type { Output } from './output.js';

/**
 * What every command implementation receives, whichever face calls it (the CLI today; the
 * agent's API and an MCP server build the same object): where to write, when to stop, and which
 * project it is about. Domains import it from here, never from the CLI.
 */
export interface CommandContext {
  out: Output;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly and release what they hold. */
  signal: AbortSignal;
  cwd: string;
  /** Which project the command is about (-C sets cwd; --project, --profile); see src/project. */
  project: { name?: string; profiles?: string[] };
}
