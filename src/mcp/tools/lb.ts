import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { runCommand } from '../run-command.js';
import type { McpServerState } from '../server-options.js';

const admin = z
  .string()
  .min(1)
  .optional()
  .describe("The balancer's admin endpoint host:port (default 127.0.0.1:9901).");
const adminToken = {
  adminTokenEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional()
    .describe('Bearer token from this environment variable of the server.'),
  adminTokenFile: z.string().min(1).optional().describe('Bearer token from this file.'),
};

interface Upstream {
  inRotation?: boolean;
}
interface Status {
  routes: Array<{ name: string; upstreams: Upstream[] }>;
  tcp: Array<{ name: string; upstreams: Upstream[] }>;
}

/** `portico lb status` and `portico lb test` against a running balancer's admin endpoint. */
export function registerLbTools(server: McpServer, state: McpServerState): void {
  server.registerTool(
    'lb_status',
    {
      title: 'Load balancer status',
      description:
        "A running Portico balancer's routes, upstreams, health, slow start, panic, ejections and traffic share (portico lb status).",
      inputSchema: { admin, ...adminToken },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      runCommand<Status>(
        state,
        {},
        extra.signal,
        async (ctx) =>
          (await import('../../balancer/commands/status.js')).statusCommand(ctx, {
            admin: args.admin ?? '127.0.0.1:9901',
            ...(args.adminTokenEnv ? { adminTokenEnv: args.adminTokenEnv } : {}),
            ...(args.adminTokenFile ? { adminTokenFile: args.adminTokenFile } : {}),
          }),
        {
          summarize: (d) => {
            const routes = [...(d.routes ?? []), ...(d.tcp ?? [])];
            const ups = routes.flatMap((r) => r.upstreams);
            return `${routes.length} route(s), ${ups.length} upstream(s), ${ups.filter((u) => u.inRotation === false).length} out of rotation`;
          },
        },
      ),
  );

  server.registerTool(
    'lb_test',
    {
      title: 'Load balancer test',
      description:
        'Send a bounded load through the balancer (a route name or a URL): per-upstream distribution against the expected share, latency, errors (portico lb test).',
      inputSchema: {
        target: z.string().min(1).describe('A route name (see lb_status), or a URL.'),
        requests: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .optional()
          .describe('How many requests (default 1000, at most 10000).'),
        concurrency: z.number().int().min(1).max(64).optional().describe('How many at once (default 10).'),
        tolerance: z
          .number()
          .min(0)
          .max(100)
          .optional()
          .describe('Allowed deviation from the expected share, in points (default 5).'),
        maxTime: z
          .string()
          .regex(/^\d+(ms|s|m)$/)
          .optional()
          .describe('Stop after this long, e.g. 30s (default 60s).'),
        admin,
        ...adminToken,
      },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async (args, extra) =>
      runCommand<{ requests: number; requestsPerSecond: number; distribution: Array<{ verdict?: string }> }>(
        state,
        {},
        extra.signal,
        async (ctx) =>
          (await import('../../balancer/commands/test-load.js')).testCommand(
            ctx,
            {
              admin: args.admin ?? '127.0.0.1:9901',
              requests: String(args.requests ?? 1000),
              concurrency: String(args.concurrency ?? 10),
              tolerance: String(args.tolerance ?? 5),
              maxTime: args.maxTime ?? '60s',
              ...(args.adminTokenEnv ? { adminTokenEnv: args.adminTokenEnv } : {}),
              ...(args.adminTokenFile ? { adminTokenFile: args.adminTokenFile } : {}),
            },
            args.target,
          ),
        {
          summarize: (d) =>
            `${d.requests} requests (${d.requestsPerSecond} req/s); ${d.distribution.length} upstream(s) judged, ${d.distribution.filter((u) => u.verdict && u.verdict !== 'ok').length} off or down`,
        },
      ),
  );
}
