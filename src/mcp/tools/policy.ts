import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { runCommand } from '../run-command.js';
import { composeFiles, listOption, manifestFile, projectShape } from '../schemas.js';
import type { McpServerState } from '../server-options.js';

interface PolicyDoc {
  policy: string;
  summary: { error: number; warning: number; note: number; suppressed: number; failing: number };
}

/** `portico policy`: the project against its network policy (portico.yaml policy:, or the baseline). */
export function registerPolicyTool(server: McpServer, state: McpServerState): void {
  server.registerTool(
    'policy',
    {
      title: 'Network policy',
      description:
        'Check the project against its network policy (portico.yaml policy:, or the built-in baseline): findings with file:line:column (rules: docs/policy.md; portico policy).',
      inputSchema: {
        ...projectShape,
        files: composeFiles,
        manifest: manifestFile,
        failOn: z
          .enum(['error', 'warning', 'note'])
          .optional()
          .describe('Exit 1 (problems) at this severity (default error).'),
        live: z.boolean().optional().describe('Also check the sockets listening on this host.'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      runCommand<PolicyDoc>(
        state,
        args,
        extra.signal,
        async (ctx) =>
          (await import('../../policy/commands/policy.js')).policyCommand(ctx, {
            file: listOption(args.files),
            ...(args.manifest ? { manifest: args.manifest } : {}),
            ...(args.failOn ? { failOn: args.failOn } : {}),
            ...(args.live ? { live: true } : {}),
          }),
        {
          summarize: (d) =>
            `policy (${d.policy}): ${d.summary.error} error(s), ${d.summary.warning} warning(s), ${d.summary.note} note(s), ${d.summary.suppressed} suppressed; ${d.summary.failing} failing`,
          remember: 'policy',
          args,
        },
      ),
  );
}
