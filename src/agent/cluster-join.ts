import { ClusterMember } from '../cluster/member.js';
import type { Project } from '../project/index.js';
import type { Store } from '../store/index.js';
import type { AgentOptions } from './agent.js';
import type { ChangeFeed } from './feed.js';

/**
 * The agent joins its catalog as one host (src/cluster/member.ts): lease, heartbeat, election,
 * last-known state; with --on-leader, the command the elected agent runs. Kept out of agent.ts
 * so the agent's own loop stays readable.
 */
export async function joinCluster(
  base: Store,
  options: AgentOptions,
  project: Project | undefined,
  agent: { namespace: () => string; address: () => string; feed: ChangeFeed },
): Promise<ClusterMember> {
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
  return member;
}
