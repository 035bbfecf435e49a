import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { refuseUnconfirmed } from '../confirm.js';
import { runCommand } from '../run-command.js';
import { composeFiles, confirmShape, listOption, port, projectShape, services } from '../schemas.js';
import type { McpServerState } from '../server-options.js';

const reservationName = z
  .string()
  .min(1)
  .max(128)
  .describe('Reservation name, e.g. auth-service (letters, digits and . _ - : /).');

/**
 * The tools that change state. `ports_reserve` is one: it records a lease in ports.db that every
 * later check, fix and reservation respects (until released, or its pid dies).
 */
export function registerPortsWriteTools(server: McpServer, state: McpServerState): void {
  server.registerTool(
    'ports_reserve',
    {
      title: 'Reserve a port (write)',
      description:
        'Reserve a stable port for a name in the project (the same one every time; race-free across processes). Records a lease: needs confirm: true (portico ports reserve).',
      inputSchema: {
        ...projectShape,
        name: reservationName,
        port: port.optional().describe('This exact port.'),
        range: z
          .string()
          .regex(/^\d+-\d+$/)
          .optional()
          .describe('Pick inside this range (default 20000-29999).'),
        pid: z.number().int().min(1).optional().describe('The lease lives only while this process does.'),
        ...confirmShape,
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (args, extra) =>
      refuseUnconfirmed('ports_reserve', args, `record a port reservation "${args.name}"`, state.log) ??
      runCommand<{ created: boolean; reservation: { name: string; port: number; project: string } }>(
        state,
        args,
        extra.signal,
        async (ctx) =>
          (await import('../../ports/commands/reserve.js')).reserveCommand(
            ctx,
            {
              ...(args.port !== undefined ? { port: String(args.port) } : {}),
              ...(args.range ? { range: args.range } : {}),
              ...(args.pid !== undefined ? { pid: String(args.pid) } : {}),
            },
            args.name,
          ),
        {
          summarize: (d) =>
            `${d.created ? 'reserved' : 'already reserved'}: ${d.reservation.name} → port ${d.reservation.port} (project ${d.reservation.project})`,
        },
      ),
  );

  server.registerTool(
    'ports_release',
    {
      title: 'Release a reservation (write)',
      description: 'Release a port reservation of the project. Needs confirm: true (portico ports release).',
      inputSchema: { ...projectShape, name: reservationName, ...confirmShape },
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (args, extra) =>
      refuseUnconfirmed('ports_release', args, `remove the reservation "${args.name}"`, state.log) ??
      runCommand<{ released: { name: string; project: string } }>(
        state,
        args,
        extra.signal,
        async (ctx) => (await import('../../ports/commands/reserve.js')).releaseCommand(ctx, {}, args.name),
        { summarize: (d) => `released ${d.released.name} (project ${d.released.project})` },
      ),
  );

  server.registerTool(
    'ports_fix_write',
    {
      title: 'Apply port fixes (write)',
      description:
        'Apply the ports_fix plan: reserve the new ports and edit the compose/.env files atomically, keeping comments and a backup. Needs confirm: true (portico ports fix --write).',
      inputSchema: { ...projectShape, files: composeFiles, services, ...confirmShape },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (args, extra) =>
      refuseUnconfirmed(
        'ports_fix_write',
        args,
        'edit compose/.env files and record reservations (see ports_fix for the diff)',
        state.log,
      ) ??
      runCommand<{ converged: boolean; written: Array<{ file: string }>; remaining: unknown[] }>(
        state,
        args,
        extra.signal,
        async (ctx) =>
          (await import('../../ports/commands/fix.js')).fixCommand(ctx, {
            file: listOption(args.files),
            service: listOption(args.services),
            write: true,
          }),
        {
          summarize: (d) =>
            `wrote ${d.written.length} file(s)${d.written.length ? `: ${d.written.map((w) => w.file).join(', ')}` : ''}; ${d.converged ? 'no error conflict left' : `${d.remaining.length} conflict(s) left`}`,
        },
      ),
  );

  server.registerTool(
    'ports_kill',
    {
      title: 'Stop what holds a port (write)',
      description:
        'Stop whatever holds a port: signals the process, or stops the container that publishes it. Needs confirm: true; dryRun shows the plan only (portico ports kill).',
      inputSchema: {
        port: port.describe('The port to free.'),
        signal: z.string().min(1).optional().describe('Signal for processes (default SIGTERM).'),
        dryRun: z.boolean().optional().describe('Only show what would be done (no confirm needed).'),
        ...confirmShape,
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (args, extra) =>
      (args.dryRun
        ? undefined
        : refuseUnconfirmed('ports_kill', args, `stop whatever holds port ${args.port}`, state.log)) ??
      runCommand<{ port: number; actions: Array<{ description: string }>; dryRun?: boolean }>(
        state,
        {},
        extra.signal,
        async (ctx) =>
          (await import('../../ports/commands/kill.js')).killCommand(
            ctx,
            // yes: the confirmation is the tool's confirm argument; never a terminal prompt.
            {
              yes: true,
              ...(args.signal ? { signal: args.signal } : {}),
              ...(args.dryRun ? { dryRun: true } : {}),
            },
            String(args.port),
          ),
        {
          summarize: (d) =>
            d.actions.length === 0
              ? `nothing holds port ${d.port}`
              : `${d.dryRun ? 'would ' : ''}${d.actions.map((a) => a.description).join('; ')}`,
        },
      ),
  );
}
