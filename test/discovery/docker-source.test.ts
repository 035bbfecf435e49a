import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Instance } from '../../src/core/model.js';
import { DockerSource } from '../../src/discovery/sources/docker/docker-source.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runPortico } from '../helpers/cli.js';
import { createInternalNetwork, runContainer, testDocker, testDockerHost } from '../helpers/docker.js';
import { freePort } from '../helpers/net.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

describeWith(['dockerd', { root: true }], 'docker source following a real engine', () => {
  let store: SqliteStore;
  let controller: AbortController;
  let watching: Promise<void>;
  const tag = `p${process.pid}`;
  const errors: string[] = [];

  const start = (): void => {
    controller = new AbortController();
    const source = new DockerSource({
      cwd: '/',
      env: { DOCKER_HOST: testDockerHost()! },
      onError: (_s, e) => errors.push(String(e)),
    });
    watching = source.watch(async (list) => {
      await store.syncSource('docker', list);
    }, controller.signal);
  };
  const stop = async (): Promise<void> => {
    controller.abort();
    await watching;
  };
  const mine = async (): Promise<Instance[]> =>
    (await store.listInstances({ source: 'docker' })).filter((i) => i.meta.container_name?.startsWith(tag));

  beforeAll(() => {
    store = new SqliteStore({ path: join(tempDir(), 'catalog.db') });
    start();
  });
  afterAll(async () => {
    await stop();
    await store.close();
  });

  it('adds a started container with its labels, and removes it when stopped or killed', async () => {
    const port = await freePort();
    const c = await runContainer({
      name: `${tag}-web`,
      cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
      publish: { '80': port },
      labels: { 'portico.service': 'storefront', 'portico.check': 'http:/', 'portico.tags': 'public' },
    });
    const [web] = await waitFor(async () => {
      const list = await mine();
      return list.length === 1 ? list : undefined;
    });
    expect(web).toMatchObject({
      service: 'storefront',
      address: '127.0.0.1',
      port,
      tags: ['public', 'docker'],
      checks: [{ kind: 'http', path: '/' }],
    });
    await c.stop({ t: 0 });
    await waitFor(async () => (await mine()).length === 0, { what: 'stopped container removed' });

    const k = await runContainer({
      name: `${tag}-killme`,
      cmd: ['sleep', '600'],
      publish: { '80': await freePort() },
    });
    await waitFor(async () => (await mine()).some((i) => i.meta.container_name === `${tag}-killme`));
    await k.kill();
    await waitFor(async () => (await mine()).length === 0, { what: 'killed container removed' });
  });

  it('follows a container recreated with new labels', async () => {
    const port = await freePort();
    const first = await runContainer({
      name: `${tag}-relabel`,
      cmd: ['sleep', '600'],
      publish: { '80': port },
      labels: { 'portico.service': 'old-name' },
    });
    await waitFor(async () => (await mine()).some((i) => i.service === 'old-name'));
    await first.remove({ force: true });
    await runContainer({
      name: `${tag}-relabel`,
      cmd: ['sleep', '600'],
      publish: { '80': port },
      labels: { 'portico.service': 'new-name' },
    });
    await waitFor(
      async () => {
        const list = await mine();
        return list.length === 1 && list[0]!.service === 'new-name';
      },
      { what: 'relabelled service' },
    );
  });

  it("tracks Docker's health state", async () => {
    await runContainer({
      name: `${tag}-health`,
      cmd: ['sh', '-c', 'sleep 1; touch /tmp/ok; sleep 600'],
      publish: { '80': await freePort() },
      healthcheck: { test: ['CMD-SHELL', 'test -f /tmp/ok'], intervalMs: 200, retries: 1 },
    });
    const healthy = await waitFor(
      async () => (await mine()).find((i) => i.meta.docker_health === 'healthy'),
      { timeoutMs: 15_000, what: 'healthy' },
    );
    expect(healthy.checks.map((c) => c.kind)).toEqual(['tcp', 'docker-health']);
  });

  it('lists unpublished containers at their network address', async () => {
    await createInternalNetwork(`${tag}-net`, '10.200.77.0/24');
    await runContainer({
      name: `${tag}-internal`,
      cmd: ['httpd', '-f', '-p', '8080', '-h', '/www'],
      network: `${tag}-net`,
      labels: { 'portico.port': '8080' },
    });
    const inst = await waitFor(async () =>
      (await mine()).find((i) => i.meta.container_name === `${tag}-internal`),
    );
    expect(inst).toMatchObject({
      port: 8080,
      tags: ['docker', 'internal'],
      meta: { network: `${tag}-net`, reachable: 'container-network' },
    });
    expect(inst.address).toMatch(/^10\.200\.77\./);
  });

  it('reconciles everything that changed while it was not watching', async () => {
    await stop();
    for (const c of await testDocker().listContainers({ all: true })) {
      if (c.Names.some((n) => n.startsWith(`/${tag}-`)))
        await testDocker().getContainer(c.Id).remove({ force: true });
    }
    await runContainer({
      name: `${tag}-while-away`,
      cmd: ['sleep', '600'],
      publish: { '80': await freePort() },
    });
    start();
    await waitFor(
      async () => {
        const names = (await mine()).map((i) => i.meta.container_name);
        return names.length === 1 && names[0] === `${tag}-while-away`;
      },
      { what: 'catalog reconciled after restart' },
    );
    expect(errors).toEqual([]);
  });
});

// A separate block: the watcher above counts every warning, and this one is meant to warn.
describeWith(['dockerd', { root: true }], 'docker labels are untrusted input', () => {
  it('discovery health runs no command from a real container label and reports the rejection', async () => {
    const tag = `p${process.pid}-hostile`;
    const pwned = join(tempDir(), `pwned-${process.pid}`);
    await runContainer({
      name: `${tag}-evil`,
      cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
      publish: { '80': await freePort() },
      labels: { 'portico.service': `${tag}-svc`, 'portico.check': `command:touch ${pwned}` },
    });
    const r = await runPortico(['discovery', 'health', `${tag}-svc`, '--json', '--source', 'docker'], {
      cwd: tempDir(),
      env: { DOCKER_HOST: testDockerHost()!, PORTICO_HOME: tempDir() },
    });
    expect(existsSync(pwned)).toBe(false);
    expect(r.stderr).toMatch(
      new RegExp(`container ${tag}-evil: label portico\\.check: check "command:touch [^"]*" rejected`),
    );
    const doc = r.json<{ instances: Array<{ service: string; checks: Array<{ kind: string }> }> }>();
    expect(doc.instances.map((i) => [i.service, i.checks.map((c) => c.kind)])).toEqual([
      [`${tag}-svc`, ['tcp']],
    ]);
  });
});
