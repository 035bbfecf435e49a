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
  portico cluster status --json        (store from PORTICO_STORE or portico.yaml store:)`,
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
}
