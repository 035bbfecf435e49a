import { afterAll, beforeAll, expect, it } from 'vitest';
import { ClusterMember } from '../../src/cluster/member.js';
import { readClusterStatus } from '../../src/cluster/status.js';
import type { EtcdStore } from '../../src/store/etcd/etcd-store.js';
import { openStore } from '../../src/store/index.js';
import { describeWith } from '../helpers/requirements.js';
import { type EtcdServer, startEtcd } from '../helpers/servers/etcd.js';
import { waitFor } from '../helpers/wait.js';

describeWith(['etcd'], 'agents as cluster members', () => {
  let etcd: EtcdServer | undefined;
  beforeAll(async () => {
    etcd = await startEtcd();
  }, 30_000);
  afterAll(async () => {
    await etcd?.stop();
  });

  it('keeps one heartbeat per agent: two agents with the same node name both show', async () => {
    const url = `etcd://${etcd!.endpoint}/m${process.pid}?lease=2`;
    const reader = (await openStore(url, {}, 'shop')) as EtcdStore;
    const stores = [await openStore(url, {}, 'shop'), await openStore(url, {}, 'shop')];
    const members = await Promise.all(
      stores.map((store, i) =>
        ClusterMember.join(store, {
          host: 'same-host',
          project: () => 'shop',
          listen: () => `127.0.0.1:${9000 + i}`,
          seenIndex: () => 0,
          warn: () => {},
        }),
      ),
    );
    expect(members[0]!.agentId).not.toBe(members[1]!.agentId);
    const agents = await waitFor(
      async () => {
        const { agents } = await readClusterStatus(reader);
        return agents.length === 2 ? agents : undefined;
      },
      { what: 'two heartbeats' },
    );
    expect(agents.map((a) => a.host)).toEqual(['same-host', 'same-host']);
    expect(agents.map((a) => a.listen).sort()).toEqual(['127.0.0.1:9000', '127.0.0.1:9001']);
    expect(agents.map((a) => a.agent).sort()).toEqual(members.map((m) => m.agentId).sort());
    // Exactly one of them is elected.
    await waitFor(() => members.filter((m) => m.isLeader).length === 1, { what: 'one leader' });
    await members[0]!.close();
    // Its heartbeat goes with its lease; the other's stays.
    const left = await waitFor(
      async () => {
        const { agents } = await readClusterStatus(reader);
        return agents.length === 1 ? agents : undefined;
      },
      { what: 'one heartbeat left' },
    );
    expect(left[0]!.agent).toBe(members[1]!.agentId);
    await members[1]!.close();
    for (const s of [reader, ...stores]) await s.close();
  }, 30_000);
});
