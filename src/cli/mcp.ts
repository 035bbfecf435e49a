import { action } from './action.js';
import type { Command } from './commander.js';

/** `portico mcp`: Portico's commands as MCP tools for coding agents, over stdio. */
export function registerMcp(program: Command): void {
  program
    .command('mcp')
    .description('serve Portico as an MCP server on stdio (tools for coding agents; docs/MCP.md)')
    .option(
      '--allow-writes',
      'also offer the tools that change state (ports reserve/release/kill, ports fix --write); each needs confirm: true',
    )
    .addHelpText(
      'after',
      `
Examples:
  portico mcp                         read-only tools for the project in this folder
  portico mcp -C path/to/project      tools about that project by default
  portico mcp --allow-writes          also reserve/release/kill/fix --write (each asks for confirm: true)

stdout carries only the MCP protocol; logs go to stderr. Client configuration: docs/MCP.md.`,
    )
    .action(action(async (ctx, opts) => (await import('../mcp/command.js')).mcpCommand(ctx, opts)));
}
