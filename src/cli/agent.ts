import { action } from './action.js';
import type { Command } from './commander.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `portico agent` (the long-running agent and its HTTP API) and `portico status`. */
export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      'run continuously: sources → catalog → checks, with an HTTP API (Portico, Consul subset, Prometheus); SIGHUP reloads',
    )
    .option('--listen <host:port>', 'where the API listens (default 127.0.0.1:7780; port 0 picks one)')
    .option(
      '--store <url>',
      'catalog location (sqlite:///path.db, etcd://host:port[,…]; else portico.yaml store:)',
    )
    .option(
      '--node <name>',
      "this host's name in a shared catalog (default $PORTICO_NODE, else the hostname)",
    )
    .option(
      '--on-leader <command>',
      'a portico command only the elected agent runs, on election and after catalog changes (e.g. "lb deploy --target haproxy --to ./haproxy.cfg --from-catalog")',
    )
    .option('--source <names>', 'compose, docker, manifest, processes (comma-separated; repeatable)', collect)
    .option('--no-discover', 'run no sources; serve and check the catalog as it is')
    .option('-f, --file <file>', 'compose file (repeatable)', collect)
    .option('--manifest <file>', 'portico.yaml to read')
    .option('--token-env <name>', 'writes need this bearer token, read from this environment variable')
    .option('--token-file <path>', 'writes need this bearer token, read from this file')
    .option('--require-token', 'require the token for writes even on loopback')
    .option(
      '--lb-admin <host:port>',
      "a Portico balancer's admin endpoint to show on the dashboard (repeatable)",
      collect,
    )
    .addHelpText(
      'after',
      `
Listening beyond loopback requires a token (--token-env / --token-file) for every write:
Authorization: Bearer <token>, or X-Consul-Token on the Consul paths.
Balancers listed under balancers: in portico.yaml ({name, config: portico-lb.yaml}) run in the
agent's process, follow its catalog, reload on SIGHUP and drain on SIGTERM.

Examples:
  portico agent                                  this folder's project on 127.0.0.1:7780
  portico agent -C ~/src/shop --listen 127.0.0.1:8500
  portico agent --lb-admin 127.0.0.1:9901        open http://127.0.0.1:7780/ for the dashboard
  curl -s localhost:7780/api/v1/instances        instances with status and check states
  curl -s localhost:7780/v1/health/service/api?passing   the Consul view`,
    )
    .action(
      action(async (ctx, opts) => (await import('../agent/commands/agent.js')).agentCommand(ctx, opts)),
    );

  program
    .command('status')
    .description('whether an agent runs, where, and what it watches (exit 1 when none runs)')
    .action(action(async (ctx) => (await import('../agent/commands/status.js')).statusCommand(ctx)));
}
