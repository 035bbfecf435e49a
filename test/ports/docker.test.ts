import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { runContainer, testDockerHost } from '../helpers/docker.js';
import { freePort } from '../helpers/net.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

interface ListDoc {
  listeners: Array<{
    port: number;
    container?: { name: string; containerPort: number; composeProject?: string };
    processes: Array<{ name: string }>;
  }>;
  docker: boolean;
}

describeWith(['dockerd', { root: true }], 'ports with a real Docker engine', () => {
  const env = () => ({ PORTICO_HOME: tempDir(), DOCKER_HOST: testDockerHost()! });

  it('names the container that publishes a port, not docker-proxy, and frees it by stopping the container', async () => {
    const port = await freePort();
    const name = `portico-ports-${process.pid}`;
    const container = await runContainer({
      name,
      cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
      publish: { '80': port },
    });
    const e = env();
    const list = await runPortico(['ports', '--json', '--port', String(port)], { env: e });
    const doc = list.json<ListDoc>();
    expect(doc.docker).toBe(true);
    expect(doc.listeners[0]).toMatchObject({ port, container: { name, containerPort: 80 } });
    expect(doc.listeners[0]!.processes.map((p) => p.name)).toContain('docker-proxy');

    const who = await runPortico(['ports', 'who', String(port)], { env: e });
    expect(who.stdout).toContain(`held by container ${name}`);
    expect(who.stdout).toContain(`docker stop ${name}`);

    const kill = await runPortico(['ports', 'kill', String(port), '--yes', '--json'], { env: e });
    expect(kill.code).toBe(0);
    expect(kill.json()).toMatchObject({ freed: true, actions: [{ kind: 'container' }] });
    await waitFor(async () => !(await container.inspect()).State.Running, { what: 'container stopped' });
  });

  it("does not count the project's own running container as a conflict, but another project's is", async () => {
    const port = await freePort();
    await runContainer({
      name: `portico-own-${process.pid}`,
      cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
      publish: { '80': port },
      labels: { 'com.docker.compose.project': 'mine', 'com.docker.compose.service': 'web' },
    });
    const dir = tempDir();
    const compose = (project: string) =>
      writeFileSync(
        join(dir, 'compose.yaml'),
        `name: ${project}\nservices:\n  web:\n    image: x\n    ports: ["127.0.0.1:${port}:80"]\n`,
      );
    const e = env();
    compose('mine');
    expect((await runPortico(['ports', 'check'], { cwd: dir, env: e })).code).toBe(0);
    compose('theirs');
    const other = await runPortico(['ports', 'check', '--json'], { cwd: dir, env: e });
    expect(other.code).toBe(1);
    expect(other.json()).toMatchObject({ conflicts: [{ kind: 'in-use-by-container', port }] });
    const human = await runPortico(['ports', 'check'], { cwd: dir, env: e });
    expect(human.stdout).toContain('docker compose -p mine stop web');
  });
});
