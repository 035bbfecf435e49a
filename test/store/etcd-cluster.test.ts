import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Instance } from '../../src/core/model.js';
import { openStore } from '../../src/store/index.js';
import { describeWith } from '../helpers/requirements.js';
import { type EtcdCluster, startEtcdCluster } from '../helpers/servers/etcd.js';
import { waitFor } from '../helpers/wait.js';

/** The member currently leading, from etcdctl's view of every endpoint. */
function leaderIndex(cluster: EtcdCluster): number {
  const out = execFileSync(
    'etcdctl',
    ['--endpoints', cluster.endpoints.join(','), 'endpoint', 'status', '-w', 'json'],
    {
      env: { ...process.env, ETCDCTL_API: '3' },
      encoding: 'utf8',
      timeout: 10_000,
    },
  );
  const statuses = JSON.parse(out) as Array<{
    Endpoint: string;
    Status: { header: { member_id: number }; leader: number };
  }>;
  const leader = statuses.find((s) => s.Status.header.member_id === s.Status.leader);
  if (!leader) throw new Error(`no leader in ${out}`);
  return cluster.endpoints.indexOf(leader.Endpoint.replace(/^https?:\/\//, ''));
}

const registration = (i: number): Instance => ({
  id: `reg-${i}`,
  service: 'many',
  address: '127.0.0.1',
  port: 20000 + i,
  protocol: 'tcp',
  tags: [],
  meta: {},
  source: 'cli',
  checks: [],
});

describeWith(['etcd', 'etcdctl'], 'etcd store on a 3-member cluster', () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcdCluster(3);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps every acknowledged registration when the leader dies in the middle of 1,000', async () => {
    const store = await openStore(`etcd://${cluster.endpoints.join(',')}`, {});
    const acknowledged = new Set<string>();
    const failed: string[] = [];
    // Failures other than "etcd unavailable", kept with their message for the assertion below
    // (an assertion inside a lane would stop the lanes and say less).
    const unexpected: string[] = [];
    let next = 0;
    const total = 1000;
    const lanes = Array.from({ length: 8 }, async () => {
      for (let i = next++; i < total; i = next++) {
        try {
          await store.register(registration(i));
          acknowledged.add(`reg-${i}`);
        } catch (error) {
          if ((error as { code?: string }).code !== 'E_STORE_UNAVAILABLE')
            unexpected.push(
              `reg-${i}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
            );
          failed.push(`reg-${i}`);
        }
      }
    });
    await waitFor(() => acknowledged.size >= 200, { what: '200 registrations', timeoutMs: 30_000 });
    const leader = leaderIndex(cluster);
    await cluster.members[leader]!.kill();
    await Promise.all(lanes);
    await store.close();

    // Read back through the survivors only.
    const survivors = cluster.endpoints.filter((_, i) => i !== leader);
    const reader = await openStore(`etcd://${survivors.join(',')}`, {});
    const ids = (await reader.listInstances({ service: 'many' })).map((i) => i.id);
    await reader.close();
    expect(unexpected).toEqual([]);
    expect(acknowledged.size, `${failed.length} failed`).toBeGreaterThan(200);
    expect(acknowledged.size + failed.length).toBe(total);
    expect(new Set(ids).size).toBe(ids.length);
    const missing = [...acknowledged].filter((id) => !ids.includes(id));
    expect(
      missing,
      `${ids.length} read back, ${acknowledged.size} acknowledged, leader was member ${leader}`,
    ).toEqual([]);
    // Nothing appears that was never attempted; a failed one may or may not have been applied.
    expect(ids.every((id) => Number(id.slice(4)) < total)).toBe(true);
  }, 120_000);
});
