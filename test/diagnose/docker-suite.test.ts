import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishedEverywhere } from '../../src/diagnose/suites/docker.js';
import { runPortico } from '../helpers/cli.js';
import { createInternalNetwork, runContainer, testDockerHost } from '../helpers/docker.js';
import { freePort } from '../helpers/net.js';
import { createNamespace } from '../helpers/netns.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';

interface Doc {
  checks: Array<{ findings: Array<{ code: string; title: string; evidence: string[] }> }>;
}
const findings = (d: Doc) => d.checks.flatMap((c) => c.findings);

describeWith(['dockerd', 'ip', { root: true }], 'docker suite against the private engine', () => {
  it('warns when a Docker subnet overlaps a route of this host', async () => {
    // A route of our own (a veth into a test namespace), never one the host already had.
    const ns = createNamespace(61);
    await createInternalNetwork(`ptc-overlap-${process.pid}`, '10.200.61.0/24');
    const r = await runPortico(['troubleshoot', 'docker', '--json'], {
      env: { PORTICO_HOME: tempDir(), DOCKER_HOST: testDockerHost()! },
      cwd: tempDir(),
    });
    const f = findings(r.json<Doc>()).find((x) => x.code === 'DOCKER_SUBNET_OVERLAP');
    expect(f?.title).toContain(`overlaps the host route 10.200.61.0/24 via ${ns.hostDevice}`);
  });

  it('flags a service calling one it shares no network with, and leaves loopback publishing alone', async () => {
    const name = `ptcproj${process.pid}`;
    const a = await createInternalNetwork(`${name}_front`, '10.200.62.0/24');
    const b = await createInternalNetwork(`${name}_back`, '10.200.63.0/24');
    const labels = (service: string) => ({
      'com.docker.compose.project': name,
      'com.docker.compose.service': service,
    });
    await runContainer({
      name: `${name}-api-1`,
      cmd: ['sleep', '600'],
      network: a.id,
      labels: labels('api'),
    });
    await runContainer({ name: `${name}-db-1`, cmd: ['sleep', '600'], network: b.id, labels: labels('db') });
    const dir = tempDir();
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${name}\nservices:\n  api:\n    image: x\n    environment:\n      DATABASE_URL: postgres://app@db:5432/app\n  db:\n    image: postgres\n`,
    );
    // Published on loopback, as every test here must: not flagged.
    await runContainer({
      name: `${name}-private`,
      cmd: ['sleep', '600'],
      publish: { '80': await freePort() },
    });
    const r = await runPortico(['troubleshoot', 'docker', '--json'], {
      env: { PORTICO_HOME: tempDir(), DOCKER_HOST: testDockerHost()! },
      cwd: dir,
    });
    const all = findings(r.json<Doc>());
    expect(all.find((f) => f.code === 'DOCKER_NOT_ON_SHARED_NETWORK')?.title).toBe(
      'api calls db, but they share no Docker network',
    );
    expect(all.filter((f) => f.code === 'DOCKER_PUBLISHED_ALL_INTERFACES')).toEqual([]);
  });
});

describe('published on all interfaces', () => {
  // Tests never publish on 0.0.0.0 (network safety), so this takes the engine's answer as data.
  it('flags 0.0.0.0 and :: bindings, not 127.0.0.1', () => {
    const container = {
      Id: 'abc',
      Names: ['/web'],
      Ports: [
        { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { IP: '127.0.0.1', PrivatePort: 5432, PublicPort: 5432, Type: 'tcp' },
        { PrivatePort: 9000, Type: 'tcp' },
      ],
    };
    expect(publishedEverywhere(container as never).map((f) => f.title)).toEqual([
      'container web publishes 8080/tcp on all interfaces',
      'container web publishes 8080/tcp on all interfaces',
    ]);
  });
});
