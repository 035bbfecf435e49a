import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { runCommand } from '../run-command.js';
import { composeFiles, listOption, manifestFile, projectShape } from '../schemas.js';
import type { McpServerState } from '../server-options.js';
import { type ReportLike, reportSummary } from './report-summary.js';

/** The suites of src/diagnose/suites/index.ts (kept here so listing tools loads no suite code). */
const suites = [
  'checks',
  'ports',
  'connectivity',
  'api-gateway',
  'database',
  'docker',
  'performance',
  'security',
  'all',
] as const;

const names = z.array(z.string().min(1)).optional();

const reportShape = {
  ...projectShape,
  files: composeFiles,
  manifest: manifestFile,
  failOn: z
    .enum(['error', 'warning'])
    .optional()
    .describe('Exit 1 (problems) at this level (default error).'),
};

/** `portico troubleshoot` and `portico health`: coded findings with evidence and fixes. */
export function registerDiagnoseTools(server: McpServer, state: McpServerState): void {
  server.registerTool(
    'troubleshoot',
    {
      title: 'Troubleshoot',
      description:
        "Coded diagnoses with evidence, why it matters and a fix (codes: docs/findings.md). Suites: checks (the project's declared checks), ports, connectivity (DNS → TCP → TLS → HTTP to a service name, host:port or URL), api-gateway (an nginx/HAProxy/Caddy/Portico config's routes), database, docker, performance, security, all (portico troubleshoot).",
      inputSchema: {
        suite: z.enum(suites).describe('Which suite to run.'),
        target: z.string().min(1).optional().describe('connectivity: a service name, host:port or URL.'),
        ...reportShape,
        config: z
          .string()
          .min(1)
          .optional()
          .describe('api-gateway: nginx.conf, haproxy.cfg, Caddyfile or portico-lb.yaml.'),
        kind: z
          .enum(['nginx', 'haproxy', 'caddy', 'portico'])
          .optional()
          .describe('api-gateway: the gateway type.'),
        host: z.string().min(1).optional().describe('api-gateway: check that a route serves this host name.'),
        urls: z
          .array(z.string().min(1))
          .optional()
          .describe('database: connection URLs, e.g. postgres://app@127.0.0.1:5432/app.'),
        passwordEnv: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
          .optional()
          .describe("database: the server's environment variable holding the password for the URLs."),
        only: names.describe('Only these categories or check ids.'),
        skip: names.describe('Skip these categories or check ids.'),
        suppress: names.describe('Do not report these finding codes.'),
      },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async (args, extra) =>
      runCommand<ReportLike>(
        state,
        args,
        extra.signal,
        async (ctx) =>
          (await import('../../diagnose/troubleshoot.js')).troubleshootCommand(
            ctx,
            {
              format: 'json',
              ...(args.failOn ? { failOn: args.failOn } : {}),
              file: listOption(args.files),
              ...(args.manifest ? { manifest: args.manifest } : {}),
              ...(args.config ? { config: args.config } : {}),
              ...(args.kind ? { kind: args.kind } : {}),
              ...(args.host ? { host: args.host } : {}),
              url: listOption(args.urls),
              ...(args.passwordEnv ? { passwordEnv: args.passwordEnv } : {}),
              only: listOption(args.only),
              skip: listOption(args.skip),
              suppress: listOption(args.suppress),
            },
            args.suite,
            args.target,
          ),
        { summarize: reportSummary, remember: 'troubleshoot', args },
      ),
  );

  server.registerTool(
    'health',
    {
      title: 'Project health report',
      description:
        'One network health report on the project (or this host) with a score and KPIs: declared checks, ports, Docker, connectivity, databases, performance, security (portico health).',
      inputSchema: {
        ...reportShape,
        scope: z
          .enum(['all', 'ports', 'network'])
          .optional()
          .describe(
            'ports: only port conflicts; network: only Docker networks and connectivity (default all).',
          ),
      },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async (args, extra) =>
      runCommand<ReportLike>(
        state,
        args,
        extra.signal,
        async (ctx) =>
          (await import('../../diagnose/health.js')).healthCommand(ctx, {
            format: 'json',
            ...(args.failOn ? { failOn: args.failOn } : {}),
            file: listOption(args.files),
            ...(args.manifest ? { manifest: args.manifest } : {}),
            ...(args.scope === 'ports' ? { portsOnly: true } : {}),
            ...(args.scope === 'network' ? { networkOnly: true } : {}),
          }),
        { summarize: reportSummary, remember: 'health', args },
      ),
  );
}
