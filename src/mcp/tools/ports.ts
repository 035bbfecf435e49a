import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { runCommand } from '../run-command.js';
import { composeFiles, listOption, manifestFile, port, projectShape, services } from '../schemas.js';
import type { McpServerState } from '../server-options.js';
import { registerPortsWriteTools } from './ports-write.js';

interface Conflicts {
  conflicts?: Array<{ severity?: string; summary?: string }>;
}

/** `portico ports …` as tools. Reading tools always; the ones that change state under --allow-writes. */
export function registerPortsTools(server: McpServer, state: McpServerState): void {
  server.registerTool(
    'ports_list',
    {
      title: 'Listening sockets',
      description:
        'Every listening TCP and bound UDP socket (IPv4 and IPv6) with pid, user, command and container (portico ports list).',
      inputSchema: {
        protocol: z.enum(['tcp', 'udp']).optional().describe('Only this protocol.'),
        port: port.optional().describe('Only this port.'),
        docker: z
          .boolean()
          .optional()
          .describe('Ask the Docker engine which container publishes a port (default true).'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      runCommand<{ listeners: unknown[]; partial?: boolean }>(
        state,
        {},
        extra.signal,
        async (ctx) =>
          (await import('../../ports/commands/list.js')).listCommand(ctx, {
            ...(args.protocol === 'tcp' ? { tcp: true } : args.protocol === 'udp' ? { udp: true } : {}),
            ...(args.port !== undefined ? { port: String(args.port) } : {}),
            ...(args.docker === false ? { docker: false } : {}),
          }),
        {
          summarize: (d) =>
            `${d.listeners.length} listening socket${d.listeners.length === 1 ? '' : 's'}${d.partial ? " (some owners hidden: other users' processes need root)" : ''}`,
        },
      ),
  );

  server.registerTool(
    'ports_who',
    {
      title: 'Who holds a port',
      description:
        'Who holds a port (process, container, reservation) and how to free it (portico ports who).',
      inputSchema: { port: port.describe('The port number.') },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      runCommand<{
        port: number;
        free: boolean;
        holders: Array<{ processes?: Array<{ pid: number; name?: string }> }>;
      }>(
        state,
        {},
        extra.signal,
        async (ctx) => (await import('../../ports/commands/who.js')).whoCommand(ctx, {}, String(args.port)),
        {
          summarize: (d) =>
            d.free
              ? `port ${d.port} is free`
              : `port ${d.port} is held by ${
                  d.holders
                    .flatMap((h) => (h.processes ?? []).map((p) => `${p.name ?? 'pid'} (pid ${p.pid})`))
                    .join(', ') || 'a socket whose owner is hidden'
                }`,
        },
      ),
  );

  server.registerTool(
    'ports_check',
    {
      title: 'Port conflicts',
      description:
        "Find port conflicts in the project: compose services against each other, running processes and containers, other projects' reservations, IPv4/IPv6 splits (portico ports check).",
      inputSchema: {
        ...projectShape,
        files: composeFiles,
        manifest: manifestFile,
        services,
        ports: z.array(port).optional().describe('Extra host ports to check.'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      runCommand<Conflicts & { ok: boolean; checkedPorts: number }>(
        state,
        args,
        extra.signal,
        async (ctx) =>
          (await import('../../ports/commands/check.js')).checkCommand(
            ctx,
            {
              file: listOption(args.files),
              service: listOption(args.services),
              ...(args.manifest ? { manifest: args.manifest } : {}),
            },
            (args.ports ?? []).map(String),
          ),
        { summarize: (d) => conflictSummary(d, `${d.checkedPorts} ports checked`) },
      ),
  );

  server.registerTool(
    'ports_fix',
    {
      title: 'Plan port fixes (dry run)',
      description:
        'Plan how to move conflicting compose services to reserved ports, re-checked on a copy of the project: proposals and a unified diff. Writes nothing (portico ports fix without --write).',
      inputSchema: { ...projectShape, files: composeFiles, services },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      runCommand<{ converged: boolean; proposals: unknown[]; remaining: unknown[] }>(
        state,
        args,
        extra.signal,
        async (ctx) =>
          (await import('../../ports/commands/fix.js')).fixCommand(ctx, {
            file: listOption(args.files),
            service: listOption(args.services),
          }),
        {
          summarize: (d) =>
            `${d.proposals.length} proposed change(s); ${d.converged ? 'no error conflict would be left' : `${d.remaining.length} conflict(s) would remain`} (dry run: nothing written)`,
        },
      ),
  );

  server.registerTool(
    'ports_free',
    {
      title: 'Free ports',
      description:
        'Ports free on IPv4 and IPv6 and not reserved, found by bind tests (portico ports free). Reserves nothing.',
      inputSchema: {
        range: z
          .string()
          .regex(/^\d+-\d+$/)
          .optional()
          .describe('Search this range, e.g. 20000-29999 (the default).'),
        count: z.number().int().min(1).max(100).optional().describe('How many (default 1).'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      runCommand<{ ports: number[] }>(
        state,
        {},
        extra.signal,
        async (ctx) =>
          (await import('../../ports/commands/free.js')).freeCommand(ctx, {
            ...(args.range ? { range: args.range } : {}),
            ...(args.count ? { count: String(args.count) } : {}),
          }),
        { summarize: (d) => `free: ${d.ports.join(', ') || 'none'}` },
      ),
  );

  server.registerTool(
    'ports_reservations',
    {
      title: 'Port reservations',
      description: "The project's port reservations, or every project's (portico ports reservations).",
      inputSchema: { ...projectShape, all: z.boolean().optional().describe('Every project.') },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      runCommand<{ reservations: Array<{ name: string; port: number }> }>(
        state,
        args,
        extra.signal,
        async (ctx) =>
          (await import('../../ports/commands/reserve.js')).reservationsCommand(ctx, {
            all: args.all === true,
          }),
        {
          summarize: (d) =>
            `${d.reservations.length} reservation(s)${d.reservations.length ? `: ${d.reservations.map((r) => `${r.name}→${r.port}`).join(', ')}` : ''}`,
        },
      ),
  );

  if (state.allowWrites) registerPortsWriteTools(server, state);
}

function conflictSummary(d: Conflicts, tail: string): string {
  const list = d.conflicts ?? [];
  const errors = list.filter((c) => c.severity === 'error');
  if (list.length === 0) return `no conflicts (${tail})`;
  const first = errors[0]?.summary ?? list[0]?.summary;
  return `${errors.length} error conflict(s), ${list.length - errors.length} other(s) (${tail})${first ? `; first: ${first}` : ''}`;
}
