import { action } from './action.js';
import { type Command, Option } from './commander.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const list = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

function reportOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--format <format>', 'terminal, json, markdown or html').choices([
        'terminal',
        'json',
        'markdown',
        'html',
      ]),
    )
    .option('-o, --output <file>', 'write the report to a file (with --format json, markdown or html)')
    .addOption(
      new Option('--fail-on <level>', 'exit 1 when findings reach this level')
        .choices(['error', 'warning'])
        .default('error'),
    )
    .option('-f, --file <file>', 'compose file (repeatable)', collect)
    .option('--manifest <file>', 'portico.yaml to read (default: found with the project)');
}

/** `portico troubleshoot <suite> [target]` */
export function registerTroubleshoot(program: Command): void {
  reportOptions(
    program
      .command('troubleshoot')
      .description(
        "coded diagnoses with evidence and fixes: the project's declared checks, ports, connectivity, api-gateway, database, docker, performance, security, all",
      )
      .argument(
        '<suite>',
        'checks | ports | connectivity | api-gateway | database | docker | performance | security | all',
      )
      .argument('[target]', 'for connectivity: a service name, host:port or URL'),
  )
    .option('--config <file>', 'api-gateway: nginx.conf, haproxy.cfg, Caddyfile or portico-lb.yaml')
    .addOption(
      new Option('--kind <kind>', 'api-gateway: the gateway type, when the file name does not tell').choices([
        'nginx',
        'haproxy',
        'caddy',
        'portico',
      ]),
    )
    .option('--host <name>', 'api-gateway: check that a route serves this host name')
    .option(
      '--url <url>',
      'database: a connection URL, e.g. postgres://app@127.0.0.1:5432/app (repeatable; password via --password-env)',
      collect,
    )
    .option(
      '--password-env <name>',
      'database: read the password for --url from this environment variable (keeps it out of argv)',
    )
    .option('--only <names>', 'only these categories or check ids (comma-separated)', list)
    .option('--skip <names>', 'skip these categories or check ids (comma-separated)', list)
    .option('--suppress <codes>', 'do not report these finding codes (comma-separated)', list)
    .addHelpText(
      'after',
      `
Examples:
  portico troubleshoot checks                          run the checks compose / portico.yaml declare
  portico troubleshoot connectivity auth-service       DNS → TCP → TLS → HTTP, each step timed
  portico troubleshoot connectivity https://127.0.0.1:8443/health
  portico troubleshoot api-gateway --config nginx.conf explain 502/504s from the gateway's upstreams
  DB_PASSWORD=… portico troubleshoot database --url postgres://app@127.0.0.1:5432/app --password-env DB_PASSWORD
  portico troubleshoot all --format markdown -o report.md

Finding codes are documented in docs/findings.md.`,
    )
    .action(
      action(async (ctx, opts, suite: string, target?: string) =>
        (await import('../diagnose/troubleshoot.js')).troubleshootCommand(ctx, opts as never, suite, target),
      ),
    );
}

/** `portico health` */
export function registerHealth(program: Command): void {
  reportOptions(
    program
      .command('health')
      .description('one network health report with a score and KPIs (this project, or this host)'),
  )
    .option('--ports-only', 'only port conflicts')
    .option('--network-only', 'only Docker networks and service connectivity')
    .option('--no-agent', "read the catalog here even when this project's agent runs")
    .action(
      action(async (ctx, opts) => (await import('../diagnose/health.js')).healthCommand(ctx, opts as never)),
    );
}
