import type { LastResults } from './results.js';

/** What every tool handler needs from the running server. */
export interface McpServerState {
  /** The folder `portico mcp` started in (or -C DIR): tools' `directory` is relative to it. */
  cwd: string;
  /** --project / --profile given to `portico mcp`: the default for tools that name none. */
  project: { name?: string; profiles?: string[] };
  /** Started with --allow-writes: the tools that change state are registered. */
  allowWrites: boolean;
  verbose: boolean;
  env: NodeJS.ProcessEnv;
  /** Aborted when the server shuts down: running commands stop and release what they hold. */
  signal: AbortSignal;
  /** Where command logs and warnings go (the server's stderr; never stdout). */
  log: NodeJS.WritableStream;
  results: LastResults;
}
