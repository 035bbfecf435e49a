import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { type AgentProcess, startAgent } from '../agent/agent-process.js';
import { runPortico } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { type EtcdServer, startEtcd } from '../helpers/servers/etcd.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

interface AgentDoc {
  project: string;
  isLeader: boolean;
  stale: boolean;
  cluster: { host: string; leased: boolean; ttlSeconds: number };
}
interface InstancesDoc {
  stale: boolean;
  instances: Array<{ id: string }>;
}

/**
 * One agent on a loopback etcd chosen by portico.yaml `store:`: when etcd stops it keeps serving
 * what it knew, marked stale; when etcd is back it is fresh again with the same instances, once.
 */
describeWith(['etcd'], 'agent on etcd while etcd is down', () => {
  let etcd: EtcdServer | undefined;
  let agent: AgentProcess | undefined;
  let listener: Server | undefined;
  let dir: string;
  let url: string;

  const get = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${agent!.url}${path}`, { signal: AbortSignal.timeout(5000) })).json()) as T;

  beforeAll(async () => {
    etcd = await startEtcd();
    listener = createServer((s) => s.on('error', () => {})).listen(0, '127.0.0.1');
    await new Promise((r) => listener!.once('listening', r));
    const port = (listener.address() as { port: number }).port;
    dir = tempDir('portico-stale-');
    url = `etcd://${etcd.endpoint}/stale${process.pid}`;
    writeFileSync(
      join(dir, 'portico.yaml'),
      [
        'services:',
        '  api:',
        '    endpoints:',
        `      - { address: 127.0.0.1, port: ${port} }`,
        `      - { address: 127.0.0.1, port: ${port + 1 > 65535 ? port - 1 : port + 1} }`,
        'store:',
        `  url: ${url}`,
        '  lease: 2s',
        '  timeout: 1s',
        '',
      ].join('\n'),
    );
    agent = await startAgent(['--node', 'solo', '--source', 'manifest'], {
      cwd: dir,
      env: { PORTICO_HOME: join(dir, 'home'), PORTICO_STORE: '' },
    });
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await etcd?.stop();
    listener?.close();
  });

  it('serves last-known state marked stale, then resyncs without duplicates', async () => {
    const before = await waitFor(
      async () => {
        const doc = await get<InstancesDoc>('/api/v1/instances');
        return doc.instances.length === 2 ? doc : undefined;
      },
      { what: 'two instances', timeoutMs: 20_000 },
    );
    const self = await waitFor(
      async () => {
        const doc = await get<AgentDoc>('/api/v1/agent');
        return doc.isLeader ? doc : undefined;
      },
      { what: 'the only agent to be leader', timeoutMs: 20_000 },
    );
    expect(self.cluster).toMatchObject({ host: 'solo', leased: true, ttlSeconds: 2 });
    expect(before.stale).toBe(false);

    await etcd!.pause();
    await waitFor(async () => (await get<AgentDoc>('/api/v1/agent')).stale, {
      what: 'the agent to notice etcd is gone',
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    const during = await get<InstancesDoc>('/api/v1/instances');
    expect(during.stale).toBe(true);
    expect(during.instances.map((i) => i.id)).toEqual(before.instances.map((i) => i.id));
    // A one-shot command has no last-known state: coded error, exit 2.
    const oneShot = await runPortico(['-C', dir, 'discovery', 'list'], { env: { PORTICO_STORE: '' } });
    expect(oneShot.code).toBe(2);
    expect(oneShot.stderr).toMatch(/E_STORE_UNAVAILABLE/);
    expect(oneShot.stderr).toContain('E_STORE_UNAVAILABLE');

    await etcd!.resume();
    await waitFor(async () => !(await get<AgentDoc>('/api/v1/agent')).stale, {
      what: 'the agent fresh again',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const store = await openStore(url, {}, self.project);
    const ids = await waitFor(
      async () => {
        const found = (await store.listInstances()).map((i) => i.id);
        return found.length >= 2 ? found : undefined;
      },
      { what: 'the instances in etcd after the restart', timeoutMs: 30_000 },
    );
    expect(ids.sort()).toEqual(before.instances.map((i) => i.id).sort());
    const after = await get<InstancesDoc>('/api/v1/instances');
    expect(after.stale).toBe(false);
    expect(after.instances.map((i) => i.id)).toEqual(before.instances.map((i) => i.id));
    await store.close();
  }, 120_000);
});
