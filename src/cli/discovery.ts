import type { HealthStatus } from '../core/model.js';
import { action } from './action.js';
import type { Command } from './commander.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `portico discovery …`: sources, the catalog, health checks, monitor. */
export function registerDiscovery(program: Command): void {
  const discovery = program
    .command('discovery')
    .description('discover services (compose, Docker, portico.yaml, processes), keep a catalog, check health')
    .addHelpText(
      'after',
      `
The catalog lives in $PORTICO_HOME/catalog.db (or --store sqlite:///path.db / PORTICO_STORE).
Each project has its own namespace in it: the compose project name of the folder (or -C DIR),
--project NAME, or "default" outside any project. list --all-projects shows them all.

Examples:
  portico discovery discover                    what compose, portico.yaml and Docker know
  portico discovery discover --register         ... and put it in the catalog
  portico discovery register auth-service --port 3001 --check http:/health
  portico discovery health                      run every check now (exit 1 if something is critical)
  portico discovery monitor 60                  check every 60 s; one line per status change`,
    );

  const withStore = (cmd: Command): Command =>
    cmd.option('--store <url>', 'catalog location (sqlite:///path.db)');
  const withSources = (cmd: Command): Command =>
    cmd
      .option(
        '--source <names>',
        'compose, docker, manifest, processes (comma-separated; repeatable)',
        collect,
      )
      .option('-f, --file <file>', 'compose file (repeatable)', collect)
      .option('--manifest <file>', 'portico.yaml to read');

  withStore(withSources(discovery.command('discover')))
    .description('run the sources once and show what they find')
    .option('--register', "replace each source's instances in the catalog with what it found")
    .action(
      action(async (ctx, opts) =>
        (await import('../discovery/commands/discover.js')).discoverCommand(ctx, opts),
      ),
    );

  withStore(discovery.command('register'))
    .description('add or update an instance by hand')
    .argument('<name>', 'service name')
    .option('--address <address>', 'IP or host name (default 127.0.0.1)')
    .option('--port <port>', 'port (required)')
    .option('--protocol <protocol>', 'tcp, http, https, grpc, postgres, redis, mysql', 'tcp')
    .option(
      '--check <spec>',
      'health check, e.g. http:/health, tcp, postgres:app, ttl:30s (repeatable)',
      collect,
    )
    .option('--tag <tag>', 'tag (repeatable)', collect)
    .option('--meta <key=value>', 'metadata (repeatable)', collect)
    .option('--id <id>', 'instance id (default cli:<name>:<address>:<port>)')
    .option('--clear-checks', 'when re-registering without --check, drop the checks it had')
    .action(
      action(async (ctx, opts, name: string) =>
        (await import('../discovery/commands/register.js')).registerCommand(ctx, opts, name),
      ),
    );

  withStore(discovery.command('deregister'))
    .description('remove an instance from the catalog')
    .argument('<id>', 'instance id (see list)')
    .action(
      action(async (ctx, opts, id: string) =>
        (await import('../discovery/commands/register.js')).deregisterCommand(ctx, opts, id),
      ),
    );

  withStore(discovery.command('list'))
    .description("the catalog, with each instance's status")
    .option('--service <name>', 'only this service')
    .option('--source <name>', 'only from this source')
    .option('--all-projects', 'every project in the catalog, not only this one')
    .option('--no-agent', "read the catalog here even when this project's agent runs")
    .action(
      action(async (ctx, opts) => (await import('../discovery/commands/list.js')).listCommand(ctx, opts)),
    );

  withStore(withSources(discovery.command('health')))
    .description('run every check now; exit 1 if any instance is critical')
    .argument('[service]', 'only this service')
    .action(
      action(async (ctx, opts, service?: string) =>
        (await import('../discovery/commands/health.js')).healthCommand(ctx, opts, service),
      ),
    );

  withStore(withSources(discovery.command('monitor')))
    .description(
      'check continuously; live view on a terminal, one line (or JSON object) per change otherwise',
    )
    .argument('[seconds]', "check every N seconds (default: each check's interval)")
    .option('--duration <time>', 'stop after this long (e.g. 5m)')
    .option('--no-discover', 'do not run sources; monitor the catalog as it is')
    .action(
      action(async (ctx, opts, seconds?: string) =>
        (await import('../discovery/commands/monitor.js')).monitorCommand(ctx, opts, seconds),
      ),
    );

  for (const [verb, status] of [
    ['pass', 'passing'],
    ['warn', 'warning'],
    ['fail', 'critical'],
  ] as Array<[string, HealthStatus]>) {
    withStore(discovery.command(verb))
      .description(`report a TTL check as ${status}`)
      .argument('<instance>', 'instance id (optionally :check), or a service with one TTL instance')
      .option('--note <text>', 'output to record')
      .action(
        action(async (ctx, opts, target: string) =>
          (await import('../discovery/commands/ttl.js')).ttlCommand(ctx, status, opts, target),
        ),
      );
  }
}
