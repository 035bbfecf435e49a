import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readClusterStatus } from '../../src/cluster/status.js';
import type { Instance } from '../../src/core/model.js';
import type { EtcdStore } from '../../src/store/etcd/etcd-store.js';
import { openStore, type Store } from '../../src/store/index.js';
import { cliPath, runPortico } from '../helpers/cli.js';
import { spawnTracked, stopProcess } from '../helpers/processes.js';
import { describeWith, timeScale } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { createTopology, type Host, type Topology } from './topology.js';

/**
 * Three hosts in network namespaces on one bridge; on each an etcd member (one 3-member
 * cluster), a small HTTP service and a `portico agent` started with `ip netns exec`, all in
 * project "shop" with the catalog in etcd. The test process talks to the hosts over its own
 * bridge only (topology.ts checks `ip route get`).
 */
const ttl = 3;
const token = 'cluster-test-token';

interface Node {
  host: Host;
  etcd?: ChildProcess;
  agent?: ChildProcess;
  service?: ChildProcess;
  dir: string;
  api: string;
}

async function api<T>(node: Node, path: string): Promise<T> {
  const res = await fetch(`${node.api}${path}`, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** One HTTP GET with a Host header (fetch may not set Host), bounded at 2 s; the body or a throw. */
function getVia(address: string, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path: '/', headers: { host }, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The built CLI run inside a host's namespace (bounded). */
function runInside(
  node: Node,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnTracked(
      node.host.exec[0]!,
      [...node.host.exec.slice(1), process.execPath, cliPath, ...args],
      {
        env: { ...process.env, PORTICO_HOME: join(node.dir, 'state'), NO_COLOR: '1' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface AgentDoc {
  isLeader: boolean;
  stale: boolean;
}

interface InstancesDoc {
  stale: boolean;
  instances: Array<{ id: string; meta: Record<string, string> }>;
}

describeWith(['etcd', 'ip', 'iptables', { root: true }], 'cluster across network namespaces', () => {
  let topo: Topology;
  const nodes: Node[] = [];
  let endpoints: string;
  let store: Store;

  const startAgent = (node: Node): ChildProcess => {
    const child = spawnTracked(
      node.host.exec[0]!,
      [
        ...node.host.exec.slice(1),
        process.execPath,
        cliPath,
        '--project',
        'shop',
        '-C',
        node.dir,
        'agent',
        '--listen',
        `${node.host.address}:7780`,
        '--node',
        node.host.name,
        '--token-env',
        'PTC_TOKEN',
        '--source',
        'manifest',
      ],
      { env: { ...process.env, PTC_TOKEN: token, PORTICO_HOME: join(node.dir, 'state'), NO_COLOR: '1' } },
    );
    child.stderr?.on('data', () => undefined);
    child.stdout?.on('data', () => undefined);
    node.agent = child;
    return child;
  };

  const catalogIds = async (): Promise<string[]> => (await store.listInstances()).map((i) => i.id).sort();

  beforeAll(async () => {
    topo = createTopology(3);
    const cluster = topo.hosts.map((h) => `${h.name}=http://${h.address}:2380`).join(',');
    endpoints = topo.hosts.map((h) => `${h.address}:2379`).join(',');
    for (const host of topo.hosts) {
      const dir = tempDir('portico-cluster-');
      const node: Node = { host, dir, api: `http://${host.address}:7780` };
      nodes.push(node);
      node.etcd = spawnTracked(host.exec[0]!, [
        ...host.exec.slice(1),
        'etcd',
        '--name',
        host.name,
        '--data-dir',
        join(dir, 'etcd'),
        '--listen-client-urls',
        `http://${host.address}:2379`,
        '--advertise-client-urls',
        `http://${host.address}:2379`,
        '--listen-peer-urls',
        `http://${host.address}:2380`,
        '--initial-advertise-peer-urls',
        `http://${host.address}:2380`,
        '--initial-cluster',
        cluster,
        '--listen-metrics-urls',
        `http://127.0.0.1:2381`,
        '--log-level',
        'error',
      ]);
      // One service per host, reachable on the host's address (checked by its agent).
      node.service = spawnTracked(host.exec[0]!, [
        ...host.exec.slice(1),
        process.execPath,
        '-e',
        `require('node:http').createServer((q, s) => s.end('${host.name}')).listen(8080, '${host.address}')`,
      ]);
      writeFileSync(
        join(dir, 'portico.yaml'),
        [
          'services:',
          '  web:',
          '    protocol: http',
          '    endpoints:',
          `      - { address: ${host.address}, port: 8080 }`,
          `      - { address: ${host.address}, port: 8081 }`,
          '    checks:',
          '      - { kind: tcp, interval: 1s }',
          'store:',
          // Its own member first: the agent's lease keep-alive prefers it (store/etcd/keep-alive.ts).
          `  url: etcd://${[`${host.address}:2379`, ...topo.hosts.filter((h) => h !== host).map((h) => `${h.address}:2379`)].join(',')}`,
          `  lease: ${ttl}s`,
          '',
        ].join('\n'),
      );
    }
    store = await waitFor(async () => await openStore(`etcd://${endpoints}?timeout=1000`, {}, 'shop'), {
      what: 'the etcd cluster across namespaces',
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    for (const node of nodes) startAgent(node);
    await waitFor(async () => (await catalogIds()).length === 6, {
      what: 'six instances from three agents',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    for (const n of nodes) for (const p of [n.agent, n.service, n.etcd]) if (p) await stopProcess(p);
    topo?.destroy();
  }, 60_000);

  it('registers every host under its own name, and elects exactly one leader', async () => {
    const instances = await store.listInstances();
    expect(new Set(instances.map((i) => i.meta['portico.host']))).toEqual(
      new Set(nodes.map((n) => n.host.name)),
    );
    const leaders = await waitFor(
      async () => {
        const docs = await Promise.all(nodes.map((n) => api<AgentDoc>(n, '/api/v1/agent')));
        const l = docs.filter((d) => d.isLeader).length;
        return l === 1 ? docs : undefined;
      },
      { what: 'one leader', timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(leaders.filter((d) => d.isLeader)).toHaveLength(1);
    const status = await runPortico(['cluster', 'status', '--json', '--store', `etcd://${endpoints}`]);
    expect(status.code, status.stderr).toBe(0);
    const doc = status.json<{
      leader: string;
      members: unknown[];
      agents: Array<{ host: string; stale: boolean }>;
    }>();
    expect(doc.members).toHaveLength(3);
    expect(doc.leader).toMatch(/^host-/);
    expect(doc.agents.map((a) => a.host).sort()).toEqual(['host-a', 'host-b', 'host-c']);
    expect(doc.agents.every((a) => !a.stale)).toBe(true);
  });

  it('routes from a balancer on host A to the services of hosts B and C (catalog in etcd)', async () => {
    const a = nodes[0]!;
    const lb = spawnTracked(
      a.host.exec[0]!,
      [
        ...a.host.exec.slice(1),
        process.execPath,
        cliPath,
        '--project',
        'shop',
        '-C',
        a.dir,
        'lb',
        'serve',
        '--catalog',
        '--listen',
        `${a.host.address}:8088`,
      ],
      { env: { ...process.env, PORTICO_HOME: join(a.dir, 'state'), NO_COLOR: '1' } },
    );
    let lbErr = '';
    lb.stderr?.on('data', (c: Buffer) => {
      lbErr += c.toString();
    });
    lb.stdout?.on('data', () => undefined);
    try {
      const seen = new Set<string>();
      // Bounded: at most 300 requests, each with a 2 s timeout.
      for (let i = 0; i < 300 && seen.size < 3; i++) {
        const body = await getVia(a.host.address, 8088, 'web.localhost').catch(() => undefined);
        if (body) seen.add(body);
        else await new Promise((r) => setTimeout(r, 100));
      }
      expect([...seen].sort(), lbErr).toEqual(['host-a', 'host-b', 'host-c']);
    } finally {
      await stopProcess(lb);
    }
  }, 90_000);

  it('gives one name one port on every host (cluster reserve racing from three hosts)', async () => {
    const runs = await Promise.all(
      nodes.map((n) =>
        runInside(n, ['--project', 'shop', '-C', n.dir, 'cluster', 'reserve', 'auth-service', '--json']),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const got = runs.map((r) => JSON.parse(r.stdout) as { port: number; created: boolean });
    expect(new Set(got.map((g) => g.port)).size).toBe(1);
    expect(got.filter((g) => g.created)).toHaveLength(1);
  }, 60_000);

  it("removes a killed agent's instances within the lease TTL + 1 s; manual ones stay; leadership moves", async () => {
    const docs = await Promise.all(nodes.map((n) => api<AgentDoc>(n, '/api/v1/agent')));
    const victim = nodes[docs.findIndex((d) => d.isLeader)]!;
    const manual = await runPortico(
      [
        '--project',
        'shop',
        'discovery',
        'register',
        'manual',
        '--address',
        '10.200.0.9',
        '--port',
        '9000',
        '--store',
        `etcd://${endpoints}`,
      ],
      { env: { PORTICO_HOME: join(victim.dir, 'state') } },
    );
    expect(manual.code, manual.stderr).toBe(0);
    const victimIds = (await catalogIds()).filter((id) => id.includes(victim.host.address));
    expect(victimIds).toHaveLength(2);

    const killedAt = Date.now();
    victim.agent!.kill('SIGKILL');
    const goneAt = await waitFor(
      async () => ((await catalogIds()).some((id) => victimIds.includes(id)) ? undefined : Date.now()),
      { what: "the killed agent's instances to expire", timeoutMs: (ttl + 10) * 1000, intervalMs: 100 },
    );
    const elapsed = goneAt - killedAt;
    console.log(`lease expiry after SIGKILL: ${elapsed} ms (TTL ${ttl} s)`);
    // The bound is the lease's (TTL + 1 s), widened only by the run's time scale under CI.
    expect(elapsed).toBeLessThanOrEqual((ttl + timeScale) * 1000);
    const left = await store.listInstances();
    expect(left.filter((i) => i.service === 'manual')).toHaveLength(1);
    expect(left.filter((i) => i.service === 'web')).toHaveLength(4);

    const survivors = nodes.filter((n) => n !== victim);
    await waitFor(
      async () => {
        const d = await Promise.all(survivors.map((n) => api<AgentDoc>(n, '/api/v1/agent')));
        return d.filter((x) => x.isLeader).length === 1;
      },
      { what: 'a new leader among the survivors', timeoutMs: (ttl + 15) * 1000, intervalMs: 200 },
    );
    // Bring it back for the next cases.
    startAgent(victim);
    await waitFor(async () => (await catalogIds()).filter((id) => id.startsWith('manifest:')).length === 6, {
      what: 'the restarted agent back in the catalog',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
  }, 90_000);

  it('keeps serving a partitioned host stale, and resyncs it after the heal without duplicates', async () => {
    const cut = nodes[2]!;
    await waitFor(async () => !(await api<AgentDoc>(cut, '/api/v1/agent')).stale, {
      what: 'host C fresh',
      timeoutMs: 20_000,
    });
    const before = await api<InstancesDoc>(cut, '/api/v1/instances');
    expect(before.stale).toBe(false);
    expect(before.instances.length).toBeGreaterThanOrEqual(6);
    topo.partition(cut.host);
    try {
      await waitFor(async () => (await api<AgentDoc>(cut, '/api/v1/agent')).stale, {
        what: 'host C to notice it is cut off',
        timeoutMs: 20_000,
        intervalMs: 200,
      });
      const during = await api<InstancesDoc>(cut, '/api/v1/instances');
      expect(during.stale).toBe(true);
      expect(during.instances.map((i) => i.id).sort()).toEqual(before.instances.map((i) => i.id).sort());
      // A one-shot command on the cut-off host (store from its portico.yaml) fails fast and coded.
      const started = Date.now();
      const oneShot = await runInside(cut, [
        '--project',
        'shop',
        '-C',
        cut.dir,
        'discovery',
        'list',
        '--json',
      ]);
      console.log(
        `one-shot command while partitioned: exit ${oneShot.code} after ${Date.now() - started} ms`,
      );
      expect(oneShot.code).toBe(2);
      expect(oneShot.stdout + oneShot.stderr).toContain('E_STORE_UNAVAILABLE');
      // The majority side sees C's instances leave with its lease.
      await waitFor(async () => !(await catalogIds()).some((id) => id.includes(cut.host.address)), {
        what: "C's instances to expire on the majority side",
        timeoutMs: (ttl + 15) * 1000,
        intervalMs: 200,
      });
    } finally {
      topo.heal(cut.host);
    }
    await waitFor(async () => !(await api<AgentDoc>(cut, '/api/v1/agent')).stale, {
      what: 'host C fresh again',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    // Every host's instances back: C's, and those of an agent whose etcd client happened to be
    // connected to C's member — its keep-alive stalls until the client fails over, so with a 3 s
    // TTL its lease can lapse and its session registers the instances again.
    const ids = await waitFor(
      async () => {
        const list = await catalogIds();
        const back =
          list.filter((id) => id.includes(cut.host.address)).length === 2 &&
          list.filter((id) => id.startsWith('manifest:')).length >= 6;
        return back ? list : undefined;
      },
      { what: "every host's instances back", timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith('manifest:'))).toHaveLength(6);
    const after = await waitFor(
      async () => {
        const doc = await api<InstancesDoc>(cut, '/api/v1/instances');
        return doc.stale ? undefined : doc;
      },
      { what: "C's API fresh", timeoutMs: 20_000 },
    );
    const seen = after.instances.map((i) => i.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(ids);
  }, 120_000);

  it('keeps every acknowledged registration when an etcd member dies during 1,000', async () => {
    const bulk = store.inProject('bulk');
    const acknowledged = new Set<string>();
    let next = 0;
    const total = 1000;
    const registration = (i: number): Instance => ({
      id: `reg-${i}`,
      service: 'many',
      address: '10.200.0.9',
      port: 20000 + i,
      protocol: 'tcp',
      tags: [],
      meta: {},
      source: 'cli',
      checks: [],
    });
    // The member that leads raft: the hardest one to lose.
    const leader = await waitFor(
      async () => {
        const { members } = await readClusterStatus(store as EtcdStore);
        return nodes.find((n) => n.host.name === members.find((m) => m.isLeader)?.name);
      },
      { what: 'the raft leader', timeoutMs: 20_000, intervalMs: 200 },
    );
    const lanes = Array.from({ length: 8 }, async () => {
      for (let i = next++; i < total; i = next++) {
        if (i === 300) await stopProcess(leader.etcd!);
        try {
          await bulk.register(registration(i));
          acknowledged.add(`reg-${i}`);
        } catch {}
      }
    });
    await Promise.all(lanes);
    const listed = (await bulk.listInstances()).map((i) => i.id);
    expect(new Set(listed).size).toBe(listed.length);
    for (const id of acknowledged) expect(listed).toContain(id);
    expect(acknowledged.size).toBeGreaterThan(900);
    console.log(`acknowledged ${acknowledged.size}/1000, listed ${listed.length}`);
  }, 180_000);
});
