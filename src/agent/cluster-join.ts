import { ClusterMember, type LeaderJob } from '../cluster/member.js';
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
  const gateways = await gatewayJobs(project, options, agent);
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
      'on-leader',
    );
  }
  contexts.set(member, { options, agent });
  member.replaceJobs('gateway ', gateways(member));
  return member;
}

interface JoinContext {
  options: AgentOptions;
  agent: { namespace: () => string; feed: ChangeFeed };
}
const contexts = new WeakMap<ClusterMember, JoinContext>();

/** SIGHUP: portico.yaml's gateways read again; a broken declaration keeps the running ones. */
export async function reloadGateways(member: ClusterMember, project: Project | undefined): Promise<void> {
  const context = contexts.get(member);
  if (!context) return;
  const gateways = await gatewayJobs(project, context.options, context.agent);
  member.replaceJobs('gateway ', gateways(member));
}

/**
 * portico.yaml's `gateways:` read and validated now (routes files too); the jobs are made once
 * the member exists. The module is loaded only when a project declares gateways.
 */
async function gatewayJobs(
  project: Project | undefined,
  options: AgentOptions,
  agent: JoinContext['agent'],
): Promise<(member: ClusterMember) => Map<string, LeaderJob>> {
  if (!project?.manifest?.data.gateways?.length) return () => new Map();
  const jobs = await import('../cluster/gateway-job.js');
  const prepared = jobs.prepareGateways(jobs.declaredGateways(project), options.env);
  return (member) =>
    new Map(
      prepared.map((gateway) => {
        const name = `gateway ${gateway.declaration.name}`;
        const job = jobs.gatewayJob({
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
        });
        return [name, job];
      }),
    );
}
