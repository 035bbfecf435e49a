import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ClusterMember } from '../../src/cluster/member.js';
import type { EtcdSession } from '../../src/store/etcd/session.js';
import { openStore } from '../../src/store/index.js';
import { describeWith } from '../helpers/requirements.js';
import { type EtcdCluster, startEtcdCluster } from '../helpers/servers/etcd.js';
import { waitFor } from '../helpers/wait.js';
import { instance } from '../store/contract.js';

/** Which endpoint leads, from etcdctl's view of every member. */
function leaderEndpoint(cluster: EtcdCluster): string {
  const out = execFileSync(
    'etcdctl',
    ['--endpoints', cluster.endpoints.join(','), 'endpoint', 'status', '-w', 'json'],
    { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8', timeout: 10_000 },
  );
  const statuses = JSON.parse(out) as Array<{
    Endpoint: string;
    Status: { header: { member_id: number }; leader: number };
  }>;
  const leader = statuses.find((s) => s.Status.header.member_id === s.Status.leader);
  if (!leader) throw new Error(`no leader in ${out}`);
  return leader.Endpoint.replace(/^https?:\/\//, '');
}

/**
 * A host's lease with a 2 s TTL on a 3-member cluster, its own member listed first: the lease is
 * renewed through that member; when the member goes silent (SIGSTOP: connections hang, nothing
 * answers) the renewals move to another member within the TTL and the lease is never lost, nor
 * the leadership of an agent standing on such a lease.
 */
describeWith(['etcd', 'etcdctl'], 'lease keep-alive prefers the local member and fails over', () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcdCluster(3);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps a 2 s lease alive when its preferred member goes silent', async () => {
    const leader = leaderEndpoint(cluster);
    // A follower as "this host's member": stopping it leaves the cluster its quorum and leader.
    const localIndex = cluster.endpoints.findIndex((e) => e !== leader);
    const local = cluster.endpoints[localIndex]!;
    const others = cluster.endpoints.filter((e) => e !== local);
    const prefix = `/ka${process.pid}`;
    const base = await openStore(`etcd://${[local, ...others].join(',')}${prefix}?lease=2`, {}, 'shop');
    const reader = await openStore(`etcd://${others.join(',')}${prefix}`, {}, 'shop');
    const lost: string[] = [];
    const session = (await base.openSession({
      host: 'a',
      onLost: (e) => lost.push(e.message),
    })) as EtcdSession;
    await session.store.register(instance('kept'));
    // An agent's membership on the same URL: its election stands on its host's lease.
    const member = await ClusterMember.join(base, {
      host: 'b',
      project: () => 'shop',
      listen: () => '127.0.0.1:1',
      seenIndex: () => 0,
      warn: () => {},
    });
    let elected = 0;
    member.onLeadership(async () => {
      elected++;
    });
    await waitFor(() => member.isLeader, { what: 'the member to be elected' });
    await waitFor(() => session.renewedThrough !== undefined, { what: 'a first renewal', timeoutMs: 5000 });
    expect(session.renewedThrough).toBe(`http://${local}`);

    const pid = cluster.members[localIndex]!.pid;
    process.kill(pid, 'SIGSTOP');
    try {
      await waitFor(() => session.renewedThrough !== `http://${local}`, {
        what: 'renewals through another member',
      });
      expect(others.map((o) => `http://${o}`)).toContain(session.renewedThrough);
      // Three TTLs with the preferred member silent: the lease must live through all of them.
      await sleep(6000);
      expect(lost).toEqual([]);
      expect(await reader.getInstance('kept')).toBeDefined();
      // Leadership held throughout: elected once, never stepped down.
      expect(member.isLeader).toBe(true);
      expect(elected).toBe(1);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // Back: the preferred member is asked first again once its penalty is over.
    await waitFor(() => session.renewedThrough === `http://${local}`, {
      what: 'renewals back on the local member',
      timeoutMs: 15_000,
    });
    expect(lost).toEqual([]);
    await member.close();
    await session.close();
    expect(await reader.getInstance('kept')).toBeUndefined();
    await reader.close();
    await base.close();
  }, 60_000);
});
