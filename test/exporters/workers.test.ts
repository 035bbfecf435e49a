import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { RuntimeApi } from '../../src/exporters/haproxy/runtime-api.js';
import { exporters } from '../../src/exporters/index.js';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { stopProcess } from '../helpers/processes.js';
import { describeWith } from '../helpers/requirements.js';
import { startUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { load, specFromYaml, startGateway, waitAnswers, writeGenerated } from './gateways.js';

const yaml = (port: number, up: number, workers?: string): string =>
  [
    `listen: 127.0.0.1:${port}`,
    ...(workers ? [`workers: ${workers}`] : []),
    'routes:',
    '  - name: web',
    `    upstreams: [127.0.0.1:${up}]`,
  ].join('\n');

const running: Array<ReturnType<typeof startGateway>> = [];
afterEach(async () => {
  for (const g of running.splice(0)) await stopProcess(g);
});

/** The pids of a process's direct children (procfs). */
function children(pid: number): number[] {
  const tasks = execFileSync('ls', [`/proc/${pid}/task`], { encoding: 'utf8' })
    .trim()
    .split('\n');
  return tasks.flatMap((t) =>
    readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
  );
}

describeWith(['haproxy'], 'generated HAProxy threads follow workers:', () => {
  it('renders nbthread 1 by default, N for workers: N, none for auto; HAProxy runs N threads', async () => {
    const up = await startUpstream('t');
    const port = await freePort();
    const render = (w?: string) =>
      exporters.haproxy.render(specFromYaml(yaml(port, up.port, w)), { runtimeDir: '/tmp/x' });
    expect(render()).toMatch(/^ {2}nbthread 1$/m);
    expect(render('auto')).not.toMatch(/^\s*nbthread/m);
    const spec = specFromYaml(yaml(port, up.port, '2'));
    const w = writeGenerated('haproxy', spec);
    expect(readFileSync(w.config, 'utf8')).toMatch(/^ {2}nbthread 2$/m);
    expect(await exporters.haproxy.validate(w.config, w.run)).toBeUndefined();
    const g = startGateway('haproxy', w);
    running.push(g);
    await waitAnswers(port);
    const info = await new RuntimeApi(join(w.run, 'haproxy.sock')).command('show info');
    expect(info).toMatch(/^Nbthread: 2$/m);
    const r = await load(port, 100);
    expect(r.errors).toEqual([]);
    expect(r.byBody.get('t')).toBe(100);
  });
});

describeWith(['nginx'], 'generated nginx worker_processes follow workers:', () => {
  it('runs N worker processes for workers: N (1 by default), and --workers overrides the file', async () => {
    const up = await startUpstream('n');
    const port = await freePort();
    expect(exporters.nginx.render(specFromYaml(yaml(port, up.port)), { runtimeDir: '/tmp/x' })).toContain(
      'worker_processes 1;',
    );
    expect(
      exporters.nginx.render(specFromYaml(yaml(port, up.port, 'auto')), { runtimeDir: '/tmp/x' }),
    ).toContain('worker_processes auto;');
    const w = writeGenerated('nginx', specFromYaml(yaml(port, up.port, '2')));
    expect(await exporters.nginx.validate(w.config, w.run)).toBeUndefined();
    const g = startGateway('nginx', w);
    running.push(g);
    await waitAnswers(port);
    await waitFor(() => children(g.pid!).length === 2, { what: 'two nginx workers' });
    const r = await load(port, 100);
    expect(r.errors).toEqual([]);

    const out = await runPortico([
      'lb',
      'generate',
      '--target',
      'nginx',
      '--upstream',
      `127.0.0.1:${up.port}`,
      '--workers',
      '3',
    ]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('worker_processes 3;');
    const bad = await runPortico([
      'lb',
      'generate',
      '--target',
      'haproxy',
      '--upstream',
      '127.0.0.1:1',
      '--workers',
      '0',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--workers must be a number from 1 to 256');
  });
});
