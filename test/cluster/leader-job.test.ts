import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
 * command; when it dies, the other is elected and runs it. The command writes a file named after
 * its agent (it does not write the catalog: a catalog write would be a change that runs it again,
 * and a run the killed agent had started could still land after the kill, as an orphan).
 */
describeWith(['etcd'], 'singleton job on the elected agent', () => {
  let etcd: EtcdServer | undefined;
  const agents: AgentProcess[] = [];
  let dir: string;
  const ranBy = (node: string) => join(dir, `ran-by-${node}.conf`);

  beforeAll(async () => {
    etcd = await startEtcd();
    const url = `etcd://${etcd.endpoint}/leader${process.pid}?lease=2`;
    dir = tempDir('portico-leader-');
    writeFileSync(join(dir, 'portico.yaml'), `services: {}\nstore:\n  url: ${url}\n`);
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
            `lb generate --target nginx --listen 127.0.0.1:1 --upstream 127.0.0.1:2 -o ${ranBy(node)}`,
          ],
          { cwd: dir, env: { PORTICO_HOME: join(dir, node), PORTICO_STORE: '' } },
        ),
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await etcd?.stop();
  });

  it('runs on the leader only, and on the next leader when it dies', async () => {
    const first = await waitFor(async () => ['one', 'two'].find((node) => existsSync(ranBy(node))), {
      what: 'the leader to run its command',
      timeoutMs: 30_000,
    });
    const docs = await Promise.all(
      agents.map(async (a) => (await (await fetch(`${a.url}/api/v1/agent`)).json()) as AgentDoc),
    );
    expect(docs.filter((d) => d.isLeader)).toHaveLength(1);
    const leaderIndex = docs.findIndex((d) => d.isLeader);
    expect(first).toBe(['one', 'two'][leaderIndex]);
    const other = ['one', 'two'][1 - leaderIndex]!;
    expect(existsSync(ranBy(other)), 'the agent that is not leader ran the command').toBe(false);

    agents[leaderIndex]!.child.kill('SIGKILL');
    await waitFor(async () => existsSync(ranBy(other)) || undefined, {
      what: 'the next leader to run the command',
      timeoutMs: 30_000,
    });
    const after = (await (await fetch(`${agents[1 - leaderIndex]!.url}/api/v1/agent`)).json()) as AgentDoc;
    expect(after.isLeader).toBe(true);
  }, 90_000);
});
