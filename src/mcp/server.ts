import { readFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerResources } from './resources.js';
import type { McpServerState } from './server-options.js';
import { registerDiagnoseTools } from './tools/diagnose.js';
import { registerDiscoveryTools } from './tools/discovery.js';
import { registerLbTools } from './tools/lb.js';
import { registerPolicyTool } from './tools/policy.js';
import { registerPortsTools } from './tools/ports.js';
import { registerReportTool } from './tools/report.js';

const instructions = `Portico is a network toolkit for microservice projects (compose files, portico.yaml).
Tools run the same code as the portico CLI and return its --json document as structured content.
Start with ports_check or health for a project; troubleshoot explains a failure with coded findings
(evidence, why, fix). Tools take an optional "directory" (the project folder). Errors carry a code
(docs/errors.md) and a hint. Tools that change state exist only when the server was started with
--allow-writes, and act only with "confirm": true: ask the user before setting it.`;

/** The MCP server with every tool and resource registered; the caller connects a transport. */
export function createMcpServer(state: McpServerState): McpServer {
  const server = new McpServer({ name: 'portico', version: version() }, { instructions });
  registerPortsTools(server, state);
  registerDiscoveryTools(server, state);
  registerDiagnoseTools(server, state);
  registerLbTools(server, state);
  registerPolicyTool(server, state);
  registerReportTool(server, state);
  registerResources(server, state);
  return server;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
