import { action } from './action.js';
import { type Command, Option } from './commander.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `portico ports …` — implementations load lazily so each command pulls in only what it uses. */
export function registerPorts(program: Command): void {
  const ports = program
    .command('ports')
    .description('who holds a port, conflicts, race-free reservations, safe fixes')
    .addHelpText(
      'after',
      `
Examples:
  portico ports                         all listeners (same as: portico ports list)
  portico ports who 5432                who holds 5432, and how to free it
  portico ports check                   ./compose.yaml against this machine and reservations
  portico ports check -f a.yaml -f b.yaml
  portico ports reserve auth-service    a stable port for the name (same one every time)
  portico ports fix --write             move conflicting services to reserved ports (keeps a backup)`,
    );

  ports
    .command('list', { isDefault: true })
    .description(
      'every listening TCP and bound UDP socket (IPv4 and IPv6) with pid, user, command and container',
    )
    .option('--tcp', 'only TCP sockets')
    .option('--udp', 'only UDP sockets')
    .option('--port <port>', 'only this port')
    .option('--no-docker', 'do not ask the Docker engine which container publishes a port')
    .action(action(async (ctx, opts) => (await import('../ports/commands/list.js')).listCommand(ctx, opts)));

  ports
    .command('who')
    .description('who holds a port and how to free it')
    .argument('<port>', 'port number')
    .action(
      action(async (ctx, opts, port: string) =>
        (await import('../ports/commands/who.js')).whoCommand(ctx, opts, port),
      ),
    );

  ports
    .command('check')
    .description(
      'find port conflicts: compose services, running processes and containers, reservations, IPv4/IPv6',
    )
    .option(
      '-f, --file <file>',
      'compose file (repeatable; default: ./compose.yaml and its override)',
      collect,
    )
    .option('-s, --service <name>', 'only this service (repeatable)', collect)
    .argument('[ports...]', 'extra host ports to check')
    .action(
      action(async (ctx, opts, portArgs: string[]) =>
        (await import('../ports/commands/check.js')).checkCommand(ctx, opts, portArgs),
      ),
    );

  ports
    .command('reserve')
    .description('reserve a stable port for a name (race-free across processes)')
    .argument('<name>', 'e.g. auth-service')
    .option('--port <port>', 'this exact port')
    .option('--range <A-B>', 'pick inside this range (default 20000-29999)')
    .option('--pid <pid>', 'lease lives only while this process does ("parent" = the calling shell)')
    .action(
      action(async (ctx, opts, name: string) =>
        (await import('../ports/commands/reserve.js')).reserveCommand(ctx, opts, name),
      ),
    );

  ports
    .command('release')
    .description('release a reservation')
    .argument('<name>')
    .action(
      action(async (ctx, opts, name: string) =>
        (await import('../ports/commands/reserve.js')).releaseCommand(ctx, opts, name),
      ),
    );

  ports
    .command('reservations')
    .description("list this project's reservations (stale leases are reclaimed)")
    .option('--all', 'every project')
    .action(
      action(async (ctx, opts) =>
        (await import('../ports/commands/reserve.js')).reservationsCommand(ctx, opts),
      ),
    );

  ports
    .command('free')
    .description('free ports (bindable on IPv4 and IPv6, not reserved)')
    .option('--range <A-B>', 'search this range (default 20000-29999)')
    .option('-n, --count <n>', 'how many', '1')
    .action(action(async (ctx, opts) => (await import('../ports/commands/free.js')).freeCommand(ctx, opts)));

  ports
    .command('fix')
    .description('move conflicting compose services to reserved ports: shows a diff, --write applies it')
    .option('-f, --file <file>', 'compose file (repeatable)', collect)
    .option('-s, --service <name>', 'only this service (repeatable)', collect)
    .option('--write', 'apply the changes (atomic, keeps comments and formatting, leaves a backup)')
    .action(action(async (ctx, opts) => (await import('../ports/commands/fix.js')).fixCommand(ctx, opts)));

  ports
    .command('kill')
    .description('stop what holds a port (stops the container when Docker publishes it)')
    .argument('<port>')
    .option('-y, --yes', 'do not ask for confirmation')
    .addOption(new Option('--signal <signal>', 'signal for processes').default('SIGTERM'))
    .option('--dry-run', 'only show what would be done')
    .action(
      action(async (ctx, opts, port: string) =>
        (await import('../ports/commands/kill.js')).killCommand(ctx, opts, port),
      ),
    );
}
