import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '../../src/core/model.js';
import { exporters } from '../../src/exporters/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type AgentProcess, startAgent } from '../agent/agent-process.js';
import { trackDaemons } from '../exporters/gateways.js';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { describeWith } from '../helpers/requirements.js';
import { type EtcdServer, startEtcd } from '../helpers/servers/etcd.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';

const project = 'gw';
const host = 'shop.localhost';

const instance = (u: TestUpstream): Instance => ({
  id: `shop-${u.name}`,
  service: 'shop',
  address: '127.0.0.1',
  port: u.port,
  protocol: 'http',
  tags: [],
  meta: {},
  source: 'cli',
  checks: [],
});

/** Which upstreams answer shop.localhost through the gateway (20 GETs), and every failure. */
async function answering(port: number): Promise<{ names: string[]; errors: string[] }> {
  const names = new Set<string>();
  const errors: string[] = [];
  for (let i = 0; i < 20; i++) {
    try {
      const r = await request(`http://127.0.0.1:${port}/`, { headers: { host }, headersTimeout: 3000 });
      const body = await r.body.text();
      if (r.statusCode === 200) names.add(body);
      else errors.push(`${r.statusCode}`);
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  return { names: [...names].sort(), errors };
}

const agentDoc = async (a: AgentProcess) =>
  (await (await fetch(`${a.url}/api/v1/agent`)).json()) as {
    isLeader: boolean;
    cluster: { jobs: Record<string, { status: string; via?: string }> };
  };

/**
 * portico.yaml `gateways:` with two agents on one etcd: only the elected agent keeps HAProxy
 * following the catalog (live, through its runtime API); when that agent is killed, the other
 * is elected and HAProxy keeps following.
 */
describeWith(['etcd', 'haproxy'], 'gateway job on the elected agent', () => {
  let etcd: EtcdServer | undefined;
  let store: Store;
  let dir: string;
  let port: number;
  const agents: AgentProcess[] = [];
  const ups: TestUpstream[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
    const url = `etcd://${etcd.endpoint}/gw${process.pid}?lease=2`;
    dir = tempDir('portico-gw-');
    trackDaemons('haproxy', join(dir, 'gateway', 'haproxy-run'));
    port = await freePort();
    writeFileSync(
      join(dir, 'portico.yaml'),
      [
        'services: {}',
        `store: { url: "${url}" }`,
        'gateways:',
        `  - { name: edge, target: haproxy, to: gateway/haproxy.cfg, listen: "127.0.0.1:${port}" }`,
        '',
      ].join('\n'),
    );
    store = await openStore(url, {}, project);
    ups.push(...(await Promise.all(['a', 'b', 'c'].map((n) => startUpstream(n)))));
    await store.register(instance(ups[0]!));
    for (const node of ['one', 'two'])
      agents.push(
        await startAgent(['--project', project, '--node', node, '--no-discover'], {
          cwd: dir,
          env: { PORTICO_HOME: join(dir, node), PORTICO_STORE: '' },
        }),
      );
  }, 60_000);

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await store?.close();
    await etcd?.stop();
  });

  it('syncs HAProxy from the leader only, and from the next leader after a kill', async () => {
    const [a, b, c] = ups as [TestUpstream, TestUpstream, TestUpstream];
    await waitFor(async () => (await answering(port)).names.join() === 'a', {
      what: 'the elected agent to start HAProxy with server a',
      timeoutMs: 30_000,
    });
    const docs = await Promise.all(agents.map(agentDoc));
    expect(docs.filter((d) => d.isLeader)).toHaveLength(1);
    const leader = docs.findIndex((d) => d.isLeader);
    expect(docs[leader]!.cluster.jobs['gateway edge']).toMatchObject({ status: 'deployed' });
    expect(docs[1 - leader]!.cluster.jobs).toEqual({});
    const run = join(dir, 'gateway', 'haproxy-run');
    const pids = exporters.haproxy.running(run);
    expect(pids).toHaveLength(1);

    // A catalog change: applied live through the runtime API (same HAProxy process).
    await store.register(instance(b));
    await waitFor(async () => (await answering(port)).names.join() === 'a,b', {
      what: 'server b added',
      timeoutMs: 15_000,
    });
    expect(exporters.haproxy.running(run)).toEqual(pids);
    expect((await agentDoc(agents[leader]!)).cluster.jobs['gateway edge']).toMatchObject({
      via: 'runtime-api',
    });

    // The leader dies; the other agent is elected and takes the gateway over.
    agents[leader]!.child.kill('SIGKILL');
    await agents[leader]!.exited;
    const next = agents[1 - leader]!;
    await waitFor(async () => (await agentDoc(next)).isLeader, {
      what: 'the other agent to be elected',
      timeoutMs: 20_000,
    });
    await store.register(instance(c));
    await store.deregister(instance(a).id);
    await waitFor(async () => (await answering(port)).names.join() === 'b,c', {
      what: 'the new leader to sync: a removed, c added',
      timeoutMs: 20_000,
    });
    const settled = await answering(port);
    expect(settled.errors).toEqual([]);
    expect(exporters.haproxy.running(run)).toEqual(pids);
    expect((await agentDoc(next)).cluster.jobs['gateway edge']).toMatchObject({ via: 'runtime-api' });
  }, 120_000);
});

describeWith(['haproxy'], 'gateway job on a SQLite catalog', () => {
  it('is run by the only agent, from the start, and read again on SIGHUP', async () => {
    const dir = tempDir('portico-gw-sqlite-');
    trackDaemons('haproxy', join(dir, 'haproxy-run'));
    const port = await freePort();
    const url = `sqlite://${join(dir, 'catalog.db')}`;
    writeFileSync(
      join(dir, 'portico.yaml'),
      `gateways:\n  - { name: solo, target: haproxy, to: haproxy.cfg, listen: "127.0.0.1:${port}" }\n`,
    );
    const up = await startUpstream('solo');
    const catalog = await openStore(url, {}, project);
    await catalog.register(instance(up));
    const agent = await startAgent(['--project', project, '--no-discover', '--store', url], {
      cwd: dir,
      env: { PORTICO_HOME: join(dir, 'home') },
    });
    try {
      await waitFor(async () => (await answering(port)).names.join() === 'solo', {
        what: 'the agent to start HAProxy',
        timeoutMs: 20_000,
      });
      const doc = await agentDoc(agent);
      expect(doc.isLeader).toBe(true);
      expect(doc.cluster.jobs['gateway solo']).toMatchObject({ status: 'deployed' });

      // SIGHUP reads the gateways again: a second one is started, the first kept.
      const port2 = await freePort();
      trackDaemons('haproxy', join(dir, 'two', 'haproxy-run'));
      writeFileSync(
        join(dir, 'portico.yaml'),
        [
          'gateways:',
          `  - { name: solo, target: haproxy, to: haproxy.cfg, listen: "127.0.0.1:${port}" }`,
          `  - { name: second, target: haproxy, to: two/haproxy.cfg, listen: "127.0.0.1:${port2}" }`,
          '',
        ].join('\n'),
      );
      agent.child.kill('SIGHUP');
      await waitFor(async () => (await answering(port2)).names.join() === 'solo', {
        what: 'the second gateway after SIGHUP',
        timeoutMs: 20_000,
      });
      const reloaded = await agentDoc(agent);
      expect(Object.keys(reloaded.cluster.jobs).sort()).toEqual(['gateway second', 'gateway solo']);
      expect((await answering(port)).names).toEqual(['solo']);
    } finally {
      await agent.stop();
      await catalog.close();
      await up.kill();
    }
  }, 60_000);
});

describe('gateways: in portico.yaml', () => {
  it('refuses a bad declaration with a clear coded error, before the agent starts', async () => {
    const dir = tempDir('portico-gw-bad-');
    writeFileSync(
      join(dir, 'portico.yaml'),
      'gateways:\n  - { name: edge, target: caddy, to: Caddyfile, runtimeApi: x.sock }\n',
    );
    const r = await runPortico(['agent', '--listen', '127.0.0.1:0', '--no-discover'], {
      cwd: dir,
      env: { PORTICO_HOME: join(dir, 'home') },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('E_MANIFEST_INVALID');
    expect(r.stderr).toContain('runtimeApi is HAProxy only');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the gateway when its routes file is broken', async () => {
    const dir = tempDir('portico-gw-bad-');
    writeFileSync(join(dir, 'lb.yaml'), 'routes: [{ name: x, upstreams: nope }]\n');
    writeFileSync(
      join(dir, 'portico.yaml'),
      'gateways:\n  - { name: edge, target: haproxy, to: haproxy.cfg, config: lb.yaml }\n',
    );
    const r = await runPortico(['agent', '--listen', '127.0.0.1:0', '--no-discover'], {
      cwd: dir,
      env: { PORTICO_HOME: join(dir, 'home') },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('gateway edge:');
    expect(r.stderr).toContain('E_LB_CONFIG');
  });
});
