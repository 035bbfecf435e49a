import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { type AgentProcess, startAgent } from '../agent/agent-process.js';
import { describeWith } from '../helpers/requirements.js';
import { type EtcdServer, startEtcd } from '../helpers/servers/etcd.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

interface AgentDoc {
  isLeader: boolean;
}

/**
 * Two agents of one project on one etcd, both with --on-leader: only the elected one runs the
 * command; when it dies, the other is elected and runs it.
 */
describeWith(['etcd'], 'singleton job on the elected agent', () => {
  let etcd: EtcdServer | undefined;
  const agents: AgentProcess[] = [];
  let store: Store;

  beforeAll(async () => {
    etcd = await startEtcd();
    const url = `etcd://${etcd.endpoint}/leader${process.pid}?lease=2`;
    const dir = tempDir('portico-leader-');
    writeFileSync(join(dir, 'portico.yaml'), `services: {}\nstore:\n  url: ${url}\n`);
    store = await openStore(url, {}, 'jobs');
    for (const node of ['one', 'two']) {
      agents.push(
        await startAgent(
          [
            '--project',
            'jobs',
            '--node',
            node,
            '--no-discover',
            '--on-leader',
            `--project jobs discovery register leader-job --port 1 --id leader-job --meta ran-by=${node}`,
          ],
          { cwd: dir, env: { PORTICO_HOME: join(dir, node), PORTICO_STORE: '' } },
        ),
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await store?.close();
    await etcd?.stop();
  });

  it('runs on the leader only, and on the next leader when it dies', async () => {
    const first = await waitFor(async () => (await store.getInstance('leader-job'))?.meta['ran-by'], {
      what: 'the leader to run its command',
      timeoutMs: 30_000,
    });
    const docs = await Promise.all(
      agents.map(async (a) => (await (await fetch(`${a.url}/api/v1/agent`)).json()) as AgentDoc),
    );
    expect(docs.filter((d) => d.isLeader)).toHaveLength(1);
    const leaderIndex = docs.findIndex((d) => d.isLeader);
    expect(first).toBe(['one', 'two'][leaderIndex]);

    await store.deregister('leader-job');
    agents[leaderIndex]!.child.kill('SIGKILL');
    const second = await waitFor(async () => (await store.getInstance('leader-job'))?.meta['ran-by'], {
      what: 'the next leader to run the command',
      timeoutMs: 30_000,
    });
    expect(second).toBe(['one', 'two'][1 - leaderIndex]);
  }, 90_000);
});
