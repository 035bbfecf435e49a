import { action } from './action.js';
import type { Command } from './commander.js';

/** `portico cluster …` — the shared (etcd) catalog and the agents on its hosts. */
export function registerCluster(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('the shared etcd catalog: members, leader, agents per host')
    .addHelpText(
      'after',
      `
Examples:
  portico cluster status --store etcd://10.0.0.1:2379,10.0.0.2:2379
  portico cluster status --json        (store from PORTICO_STORE or portico.yaml store:)
  portico cluster reserve auth-service one port for the name on every host (race-free)`,
    );

  cluster
    .command('status')
    .description("etcd members and leader; each agent's host, heartbeat age, lag and stale flag")
    .option(
      '--store <url>',
      'catalog location (etcd://host:port[,…]; else PORTICO_STORE, portico.yaml store:)',
    )
    .action(
      action(async (ctx, opts) =>
        (await import('../cluster/commands/status.js')).clusterStatusCommand(ctx, opts),
      ),
    );

  const storeOption = 'catalog location (etcd://host:port[,…]; else PORTICO_STORE, portico.yaml store:)';
  cluster
    .command('reserve')
    .description('one port for a name across every host (etcd transaction; same port every time)')
    .argument('<name>', 'reservation name, e.g. auth-service')
    .option('--range <from-to>', 'ports to choose from (default 20000-29999)')
    .option('--store <url>', storeOption)
    .action(
      action(async (ctx, opts, name: string) =>
        (await import('../cluster/commands/reserve.js')).clusterReserveCommand(ctx, opts, name),
      ),
    );

  cluster
    .command('reservations')
    .description('every cluster-wide port reservation')
    .option('--store <url>', storeOption)
    .action(
      action(async (ctx, opts) =>
        (await import('../cluster/commands/reserve.js')).clusterReservationsCommand(ctx, opts),
      ),
    );

  cluster
    .command('release')
    .description('release a cluster-wide reservation (name and port together)')
    .argument('<name>', 'reservation name')
    .option('--store <url>', storeOption)
    .action(
      action(async (ctx, opts, name: string) =>
        (await import('../cluster/commands/reserve.js')).clusterReleaseCommand(ctx, opts, name),
      ),
    );
}
