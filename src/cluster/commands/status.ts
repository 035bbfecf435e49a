import type { CommandContext } from '../../core/command-context.js';
import { ExitCode } from '../../core/exit-codes.js';
import { readClusterStatus } from '../status.js';
import { openClusterStore } from './open-etcd.js';

export interface ClusterStatusOptions {
  store?: string;
}

/**
 * `portico cluster status`: etcd members and leader, each agent's host, heartbeat age, lag and
 * stale flag. Exit 1 when a member named in the store URL does not answer or an agent is stale.
 */
export async function clusterStatusCommand(ctx: CommandContext, opts: ClusterStatusOptions): Promise<number> {
  const store = await openClusterStore(ctx, opts.store);
  try {
    const status = await readClusterStatus(store);
    const problems =
      status.members.some((m) => m.reachable === false) ||
      status.agents.some((a) => a.stale) ||
      !status.leader;
    ctx.out.result(status, () => {
      const { c } = ctx.out;
      ctx.out.line(
        `etcd ${status.endpoints.join(', ')}  leader ${status.leader ?? c.red('none')}  index ${status.index}`,
      );
      ctx.out.table(
        [
          { header: 'MEMBER', value: (m) => m.name },
          { header: 'ROLE', value: (m) => (m.isLeader ? 'leader' : 'follower') },
          {
            header: 'STATE',
            value: (m) => (m.reachable === null ? 'not asked' : m.reachable ? 'answering' : 'unreachable'),
          },
          { header: 'CLIENT URLS', value: (m) => m.clientUrls.join(','), flexible: true },
        ],
        status.members,
      );
      ctx.out.line();
      if (status.agents.length === 0) {
        ctx.out.line('No agent has a heartbeat in this catalog.');
        return;
      }
      ctx.out.table(
        [
          { header: 'HOST', value: (a) => a.host },
          { header: 'PROJECT', value: (a) => a.project },
          { header: 'PID', value: (a) => String(a.pid), align: 'right' },
          { header: 'LISTEN', value: (a) => a.listen },
          { header: 'LEADER', value: (a) => (a.isLeader ? 'yes' : '') },
          { header: 'HEARTBEAT', value: (a) => `${(a.ageMs / 1000).toFixed(1)}s ago`, align: 'right' },
          { header: 'LAG', value: (a) => String(a.lag), align: 'right' },
          { header: 'STATE', value: (a) => (a.stale ? 'stale' : 'ok') },
        ],
        status.agents,
      );
    });
    return problems ? ExitCode.Problems : ExitCode.Ok;
  } finally {
    await store.close();
  }
}
