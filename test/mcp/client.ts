import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll } from 'vitest';
import { cliPath } from '../helpers/cli.js';

export interface McpSession {
  client: Client;
  /** The server's pid (the built CLI, spawned by the SDK's transport). */
  pid: number;
  stderr(): string;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

const open = new Set<McpSession>();

// The transport ends the server's stdin, then SIGTERMs and SIGKILLs its own child if it lingers.
afterAll(async () => {
  await Promise.all([...open].map((s) => s.close()));
});

/** `node dist/cli/main.js mcp …args` behind the SDK's own client, as an MCP client runs it. */
export async function startMcp(
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, 'mcp', ...args],
    env: { ...(process.env as Record<string, string>), NO_COLOR: '1', ...env },
    ...(cwd ? { cwd } : {}),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'portico-test', version: '1.0.0' });
  await client.connect(transport);
  const session: McpSession = {
    client,
    pid: transport.pid!,
    stderr: () => stderr,
    call: async (name, toolArgs = {}) =>
      (await client.callTool({ name, arguments: toolArgs }, undefined, {
        timeout: 60_000,
      })) as CallToolResult,
    close: async () => {
      open.delete(session);
      await client.close();
    },
  };
  open.add(session);
  return session;
}

/** The text of a tool result's first content block (the summary, or the error with its hint). */
export function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first && first.type === 'text' ? first.text : '';
}
