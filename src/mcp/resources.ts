import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { describeError, isPorticoError } from '../core/errors.js';
import { rememberedTools } from './results.js';
import { captureCommand } from './run-command.js';
import type { ProjectArgs } from './schemas.js';
import type { McpServerState } from './server-options.js';

const json = 'application/json';

/**
 * Read-only views an agent can attach as context: the catalog of this project or of a named one
 * (what `portico discovery list --json` prints), and the last answer of the report-like tools.
 */
export function registerResources(server: McpServer, state: McpServerState): void {
  server.registerResource(
    'catalog',
    'portico://catalog',
    {
      title: "This project's catalog",
      description:
        "Services and instances of the server's project, with health status (portico discovery list).",
      mimeType: json,
    },
    async (uri) => catalog(state, uri.href, {}),
  );

  server.registerResource(
    'project-catalog',
    new ResourceTemplate('portico://catalog/{project}', {
      list: async () => ({
        resources: (await projectNames(state)).map((name) => ({
          uri: `portico://catalog/${encodeURIComponent(name)}`,
          name: `catalog of ${name}`,
          mimeType: json,
        })),
      }),
    }),
    {
      title: "A project's catalog",
      description: 'Services and instances of one project namespace in the catalog.',
      mimeType: json,
    },
    async (uri, variables) => {
      const name = decodeURIComponent(String(variables.project ?? ''));
      if (!name)
        throw new McpError(ErrorCode.InvalidParams, 'portico://catalog/{project} needs a project name');
      return catalog(state, uri.href, { project: name });
    },
  );

  for (const tool of rememberedTools) {
    server.registerResource(
      `last-${tool}`,
      `portico://last/${tool}`,
      {
        title: `Last ${tool} result`,
        description: `The last answer of the ${tool} tool in this session (arguments, exit code, document); nothing persists across sessions.`,
        mimeType: json,
      },
      async (uri) => {
        const last = state.results.get(tool);
        const body = last ?? {
          tool,
          available: false,
          hint: `No ${tool} result yet in this session: call the ${tool} tool first.`,
        };
        return { contents: [{ uri: uri.href, mimeType: json, text: JSON.stringify(body, null, 2) }] };
      },
    );
  }
}

async function catalog(
  state: McpServerState,
  uri: string,
  project: ProjectArgs,
): Promise<ReadResourceResult> {
  try {
    const { document } = await captureCommand(state, project, undefined, async (ctx) =>
      (await import('../discovery/commands/list.js')).listCommand(ctx, {}),
    );
    return { contents: [{ uri, mimeType: json, text: JSON.stringify(document, null, 2) }] };
  } catch (error) {
    // A coded error reaches the client as a JSON-RPC error with the code and hint in its data.
    const e = isPorticoError(error) ? error.toJSON() : { code: 'E_INTERNAL', message: describeError(error) };
    throw new McpError(ErrorCode.InternalError, `error[${e.code}]: ${e.message}`, e);
  }
}

/**
 * The catalog's project namespaces, for the template's listing: from the store the server's
 * project uses (portico.yaml `store:`, PORTICO_STORE), as every tool's command does.
 */
async function projectNames(state: McpServerState): Promise<string[]> {
  const { openStore } = await import('../store/index.js');
  const { manifestStoreOf } = await import('../store/select.js');
  const { loadProject } = await import('../project/index.js');
  try {
    const project = await loadProject({ cwd: state.cwd, env: state.env });
    const store = await openStore(undefined, state.env, undefined, manifestStoreOf(project));
    try {
      return await store.listProjects();
    } finally {
      await store.close();
    }
  } catch (error) {
    state.log.write(`portico mcp: cannot list catalog projects: ${describeError(error)}\n`);
    return [];
  }
}
