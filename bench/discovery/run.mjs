#!/usr/bin/env node
// Time from "container started" (the Docker API call returns) to its instance in the catalog,
// through the docker source following the engine's event stream. Target (issue #3): < 100 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { DockerSource } from '../../dist/discovery/sources/docker/docker-source.js';
import { SqliteStore } from '../../dist/store/sqlite/sqlite-store.js';
import { startTestEngine, testImage } from '../../test/helpers/docker-engine.mjs';
import { quantile, writeResult } from '../lib/measure.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 30);
const engine = await startTestEngine();
const dir = mkdtempSync(join(tmpdir(), 'portico-bench-disc-'));
const store = new SqliteStore({ path: join(dir, 'catalog.db'), pollMs: 1 });
const docker = new Docker({ socketPath: engine.socket });
const controller = new AbortController();
try {
  const network = await docker.createNetwork({
    Name: 'bench-pub',
    IPAM: { Config: [{ Subnet: '10.200.240.0/24' }] },
  });
  const source = new DockerSource({ cwd: '/', env: { DOCKER_HOST: `unix://${engine.socket}` } });
  const arrivals = new Map();
  const watching = source.watch(async (list) => {
    await store.syncSource('docker', list);
    const now = performance.now();
    for (const i of list) if (!arrivals.has(i.meta.container_name)) arrivals.set(i.meta.container_name, now);
  }, controller.signal);

  const latencies = [];
  for (let n = 0; n < runs; n++) {
    const name = `bench-${n}`;
    const c = await docker.createContainer({
      name,
      Image: testImage,
      Cmd: ['sleep', '600'],
      ExposedPorts: { '80/tcp': {} },
      HostConfig: {
        NetworkMode: network.id,
        PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      },
    });
    await c.start();
    const started = performance.now();
    const deadline = started + 5000;
    while (!arrivals.has(name) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    if (arrivals.has(name)) latencies.push(Math.max(0, arrivals.get(name) - started));
    await c.remove({ force: true });
  }
  controller.abort();
  await watching;
  const summary = {
    runs,
    seen: latencies.length,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies.reduce((a, b) => Math.max(a, b), 0),
  };
  const md = [
    `# docker source — container start → catalog (${new Date().toISOString()})`,
    '',
    '| measure | value | target |',
    '|---|---:|---:|',
    `| seen in catalog | ${summary.seen}/${runs} | all |`,
    `| p50 | ${summary.p50.toFixed(1)} ms | < 100 ms |`,
    `| p99 | ${summary.p99.toFixed(1)} ms | < 100 ms |`,
    `| max | ${summary.max.toFixed(1)} ms | |`,
  ].join('\n');
  console.log(md);
  writeResult('discovery', summary, md);
} finally {
  controller.abort();
  await store.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
}
