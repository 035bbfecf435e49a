import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CommandContext } from '../core/command-context.js';
import { ExitCode } from '../core/exit-codes.js';
import { LastResults } from './results.js';
import { createMcpServer } from './server.js';

export interface McpOptions {
  allowWrites?: boolean;
}

/**
 * `portico mcp`: serve MCP over stdio until the client closes stdin or a signal arrives. stdout
 * carries only protocol messages (the transport's); every log, warning and command note goes to
 * stderr, which MCP clients keep as the server's log.
 */
export async function mcpCommand(ctx: CommandContext, opts: McpOptions): Promise<number> {
  const log = process.stderr;
  const stop = new AbortController();
  const server = createMcpServer({
    cwd: ctx.cwd,
    project: ctx.project,
    allowWrites: opts.allowWrites === true,
    verbose: ctx.out.verbose,
    env: ctx.env,
    signal: stop.signal,
    log,
    results: new LastResults(),
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  // A malformed message is answered by the SDK where it can be; here it is only logged.
  transport.onerror = (error) => log.write(`portico mcp: ${error.message}\n`);
  const close = (): void => {
    stop.abort();
    void server.close().catch(() => {});
  };
  // A stray rejection in some command's background work must not end a server that other tool
  // calls are using: log it (it is a bug to report) and keep serving.
  const stray = (error: unknown): void => {
    log.write(`portico mcp: E_INTERNAL (unhandled): ${(error as Error)?.stack ?? String(error)}\n`);
  };
  process.on('unhandledRejection', stray);
  // The stdio transport does not notice its client going away: the end of stdin is the signal.
  process.stdin.once('end', close);
  process.stdin.once('close', close);
  ctx.signal.addEventListener('abort', close, { once: true });
  await server.connect(transport);
  log.write(
    `portico mcp: serving on stdio (project folder ${ctx.cwd}; ${opts.allowWrites ? 'write tools enabled: they need confirm: true' : 'read-only tools; --allow-writes adds the ones that change state'})\n`,
  );
  try {
    await closed;
  } finally {
    process.stdin.off('end', close);
    process.stdin.off('close', close);
    ctx.signal.removeEventListener('abort', close);
    process.off('unhandledRejection', stray);
  }
  return ExitCode.Ok;
}
