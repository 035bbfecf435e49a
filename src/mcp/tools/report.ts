import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { runCommand } from '../run-command.js';
import { composeFiles, listOption, manifestFile, projectShape } from '../schemas.js';
import type { McpServerState } from '../server-options.js';

interface AssessmentDoc {
  summary: { errors: number; warnings: number };
  recommendations: unknown[];
}

/**
 * `portico report`: the network architecture assessment as data (topology, KPIs, findings,
 * policy, ranked recommendations). Read-only: it returns the assessment and writes no file; the
 * CLI's `portico report -o FILE` renders the same assessment as HTML or Markdown.
 */
export function registerReportTool(server: McpServer, state: McpServerState): void {
  server.registerTool(
    'report',
    {
      title: 'Network architecture assessment',
      description:
        'Assess the project: topology (services, networks, published ports, balancer routes), health KPIs, findings, policy results and recommendations ranked by priority, each with the file:line:column or the command that fixes it (portico report).',
      inputSchema: {
        ...projectShape,
        files: composeFiles,
        manifest: manifestFile,
        live: z.boolean().optional().describe('Policy also checks the sockets listening on this host now.'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      runCommand<AssessmentDoc>(
        state,
        args,
        extra.signal,
        async (ctx) =>
          (await import('../../report/command.js')).reportCommand(ctx, {
            file: listOption(args.files),
            ...(args.manifest ? { manifest: args.manifest } : {}),
            ...(args.live ? { live: true } : {}),
          }),
        {
          summarize: (d) =>
            `assessment: ${d.summary.errors} error(s), ${d.summary.warnings} warning(s), ${d.recommendations.length} recommendation(s)`,
          remember: 'report',
          args,
        },
      ),
  );
}
