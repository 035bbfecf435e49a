import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { runCommand } from '../run-command.js';
import { composeFiles, listOption, manifestFile, projectShape } from '../schemas.js';
import type { McpServerState } from '../server-options.js';

const store = z
  .string()
  .min(1)
  .optional()
  .describe('Catalog location, e.g. sqlite:///path.db (default: PORTICO_STORE, else the state folder).');

/** `portico discovery list` and `portico discovery health`. */
export function registerDiscoveryTools(server: McpServer, state: McpServerState): void {
  server.registerTool(
    'discovery_list',
    {
      title: 'Service catalog',
      description:
        "The project's catalog of services and instances with each one's health status (portico discovery list). allProjects lists every project's namespace.",
      inputSchema: {
        ...projectShape,
        service: z.string().min(1).optional().describe('Only this service.'),
        source: z
          .string()
          .min(1)
          .optional()
          .describe('Only instances from this source (compose, docker, manifest, processes, cli, api…).'),
        allProjects: z.boolean().optional().describe('Every project in the catalog, not only this one.'),
        store,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      runCommand<{ project: string | null; instances: Array<{ status?: string }> }>(
        state,
        args,
        extra.signal,
        async (ctx) =>
          (await import('../../discovery/commands/list.js')).listCommand(ctx, {
            ...(args.service ? { service: args.service } : {}),
            ...(args.source ? { source: args.source } : {}),
            ...(args.store ? { store: args.store } : {}),
            ...(args.allProjects ? { allProjects: true } : {}),
          }),
        {
          summarize: (d) =>
            `${d.instances.length} instance(s) in ${d.project ? `project ${d.project}` : 'every project'}${statusCounts(d.instances)}`,
        },
      ),
  );

  server.registerTool(
    'discovery_health',
    {
      title: 'Run health checks',
      description:
        "Run every health check of the project's instances now (the catalog's; what discovery finds when the catalog is empty). Results are recorded as check states in the catalog, as the CLI does (portico discovery health).",
      inputSchema: {
        ...projectShape,
        service: z.string().min(1).optional().describe('Only this service.'),
        sources: z
          .array(z.enum(['compose', 'docker', 'manifest', 'processes']))
          .optional()
          .describe('Discovery sources to use when the catalog is empty.'),
        files: composeFiles,
        manifest: manifestFile,
        store,
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    async (args, extra) =>
      runCommand<{ from: string; summary: Record<string, number> }>(
        state,
        args,
        extra.signal,
        async (ctx) =>
          (await import('../../discovery/commands/health.js')).healthCommand(
            ctx,
            {
              ...(args.store ? { store: args.store } : {}),
              ...(args.sources?.length ? { source: [args.sources.join(',')] } : {}),
              file: listOption(args.files),
              ...(args.manifest ? { manifest: args.manifest } : {}),
            },
            args.service,
          ),
        {
          summarize: (d) =>
            `${d.summary.instances ?? 0} instance(s) from the ${d.from}: ${d.summary.passing ?? 0} passing, ${d.summary.warning ?? 0} warning, ${d.summary.critical ?? 0} critical, ${d.summary.unknown ?? 0} unknown`,
          remember: 'discovery_health',
          args,
        },
      ),
  );
}

function statusCounts(instances: Array<{ status?: string }>): string {
  const counts = new Map<string, number>();
  for (const i of instances) counts.set(i.status ?? 'unknown', (counts.get(i.status ?? 'unknown') ?? 0) + 1);
  return counts.size ? `: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}` : '';
}
