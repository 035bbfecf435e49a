import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { runContainer, testDocker, testDockerHost } from '../helpers/docker.js';
import { freePort } from '../helpers/net.js';
import { holdPort } from '../helpers/port-holder.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

interface Finding {
  code: string;
  title: string;
  evidence: string[];
  fix: string;
}
interface Doc {
  checks: Array<{ id: string; status: string; findings: Finding[] }>;
}

/** A compose project publishing two free host ports (one in a profile), in a folder of its own. */
async function project(name: string): Promise<{ dir: string; ports: number[] }> {
  const dir = tempDir();
  const ports = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'compose.yaml'),
    `name: ${name}\nservices:\n  web:\n    image: x\n    ports: ["127.0.0.1:${ports[0]}:80"]\n` +
      `  tools:\n    image: x\n    profiles: [tools]\n    ports: ["127.0.0.1:${ports[1]}:9000"]\n`,
  );
  return { dir, ports };
}

async function health(dir: string, dockerHost: string) {
  // From another folder, with -C: the fix must say where to run compose.
  const r = await runPortico(['health', '--json', '-C', dir, '--profile', 'tools', '--no-agent'], {
    cwd: tempDir(),
    env: { PORTICO_HOME: tempDir(), DOCKER_HOST: dockerHost },
  });
  const doc = r.json<Doc>();
  return { code: r.code, doc, running: doc.checks.find((c) => c.id === 'docker.project-running')! };
}

describe('portico health: a compose project that is not running at all', () => {
  it('says so first, with the ports and the docker compose line to start it (no engine: state unknown)', async () => {
    const { dir, ports } = await project(`ptcdown${process.pid}`);
    const { code, doc, running } = await health(dir, 'unix:///nonexistent/docker.sock');
    expect(code).toBe(1);
    expect(doc.checks[0]!.id).toBe('docker.project-running'); // the cause before its effects
    const f = running.findings[0]!;
    expect(f.code).toBe('PROJECT_NOT_RUNNING');
    expect(f.title).toBe(
      `project ptcdown${process.pid} does not seem to be running: nothing listens on any of its published ports`,
    );
    expect(f.evidence[0]).toBe(
      `nothing listens on any of the 2 TCP host port(s) it publishes: ${ports.join(', ')} (web, tools)`,
    );
    expect(f.evidence[1]).toBe('no Docker engine answers here, so whether its containers run is unknown');
    expect(f.fix).toBe(
      `Start it: cd ${dir} && docker compose --profile tools up -d — then run portico health again.`,
    );
  });

  it('passes once one of its published ports has a listener', async () => {
    const { dir, ports } = await project(`ptcup${process.pid}`);
    const held = await holdPort('127.0.0.1', ports[1]);
    try {
      const { doc, running } = await health(dir, 'unix:///nonexistent/docker.sock');
      expect(running.status).toBe('passed');
      expect(doc.checks.flatMap((c) => c.findings).filter((x) => x.code === 'PROJECT_NOT_RUNNING')).toEqual(
        [],
      );
    } finally {
      await held.stop();
    }
  });
});

describeWith(['dockerd', { root: true }], 'portico health: what Docker knows of the project', () => {
  it('names the containers that exited and points at their logs', async () => {
    const name = `ptcexit${process.pid}`;
    const { dir } = await project(name);
    const c = await runContainer({
      name: `${name}-web-1`,
      cmd: ['sh', '-c', 'exit 3'],
      labels: { 'com.docker.compose.project': name, 'com.docker.compose.service': 'web' },
    });
    await waitFor(async () => (await c.inspect()).State.Status === 'exited', {
      what: 'the container to exit',
    });
    const f = (await health(dir, testDockerHost()!)).running.findings[0]!;
    expect(f.title).toBe(`project ${name} is not running: nothing listens on any of its published ports`);
    expect(f.evidence[1]).toMatch(
      new RegExp(`^Docker has 1 container\\(s\\) of project ${name}, none running: web: Exited \\(3\\)`),
    );
    expect(f.fix).toBe(
      `See why its containers stopped (cd ${dir} && docker compose --profile tools logs), then start it: cd ${dir} && docker compose --profile tools up -d`,
    );
  });

  it('passes while a container of the project runs, even with no listener (the userland proxy off)', async () => {
    const name = `ptcrun${process.pid}`;
    const { dir } = await project(name);
    await runContainer({
      name: `${name}-web-1`,
      cmd: ['sleep', '600'],
      labels: { 'com.docker.compose.project': name, 'com.docker.compose.service': 'web' },
    });
    expect((await testDocker().listContainers({ filters: { name: [`${name}-web-1`] } }))[0]?.State).toBe(
      'running',
    );
    expect((await health(dir, testDockerHost()!)).running.status).toBe('passed');
  });
});
