import { ClusterMember } from '../cluster/member.js';
import type { Project } from '../project/index.js';
import type { Store } from '../store/index.js';
import type { AgentOptions } from './agent.js';
import type { ChangeFeed } from './feed.js';

/**
 * The agent joins its catalog as one host (src/cluster/member.ts): lease, heartbeat, election,
 * last-known state; with --on-leader, the command the elected agent runs; portico.yaml's
 * `gateways:`, which the elected agent keeps in sync with the catalog (src/cluster/gateway-job.ts).
 * Kept out of agent.ts so the agent's own loop stays readable.
 */
export async function joinCluster(
  base: Store,
  options: AgentOptions,
  project: Project | undefined,
  agent: { namespace: () => string; address: () => string; feed: ChangeFeed },
): Promise<ClusterMember> {
  // portico.yaml's gateways are read first: a broken declaration joins nothing.
  const jobs = project?.manifest?.data.gateways?.length
    ? await import('../cluster/gateway-job.js')
    : undefined;
  const gateways = jobs ? jobs.prepareGateways(jobs.declaredGateways(project), options.env) : [];
  const member = await ClusterMember.join(base, {
    host: options.node,
    project: agent.namespace,
    listen: agent.address,
    seenIndex: () => agent.feed.index,
    warn: options.warn,
  });
  if (options.onLeader) {
    const { leaderCommand } = await import('../cluster/leader-command.js');
    member.onLeadership(
      leaderCommand({
        args: options.onLeader,
        cwd: project?.dir ?? options.selector.cwd,
        env: { ...options.env, ...(options.store ? { PORTICO_STORE: options.store } : {}) },
        onChange: (listener) => agent.feed.subscribe(listener),
        warn: options.warn,
      }),
    );
  }
  for (const gateway of gateways) {
    const name = `gateway ${gateway.declaration.name}`;
    member.onLeadership(
      jobs!.gatewayJob({
        gateway,
        catalog: () => member.view(agent.namespace()),
        onChange: (listener) => agent.feed.subscribe(listener),
        env: options.env,
        warn: options.warn,
        note: options.note ?? (() => {}),
        onPass: (result) =>
          member.reportJob(name, {
            target: gateway.declaration.target,
            to: gateway.declaration.to,
            ...result,
          }),
      }),
    );
  }
  return member;
}
