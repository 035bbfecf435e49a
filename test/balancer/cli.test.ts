import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliPath, runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { spawnTracked, stopProcess, waitForOutput } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstreams.js';

const fixtures = fileURLToPath(new URL('../fixtures/lb/', import.meta.url));

describe('portico lb CLI', () => {
  it('serves with flags only, reports status, and tests the distribution', async () => {
    const [a, b] = await Promise.all([startUpstream('a'), startUpstream('b')]);
    const [listen, admin] = [await freePort(), await freePort()];
    const env = { ...process.env, PORTICO_HOME: tempDir(), NO_COLOR: '1' };
    const serve = spawnTracked(
      process.execPath,
      [
        cliPath,
        'lb',
        'serve',
        '--listen',
        `127.0.0.1:${listen}`,
        '--admin',
        `127.0.0.1:${admin}`,
        '--upstream',
        `127.0.0.1:${a.port}`,
        '--upstream',
        `127.0.0.1:${b.port}`,
        '--health-path',
        '/health',
      ],
      { env },
    );
    await waitForOutput(serve, /Ctrl-C to stop/);

    const test = await runPortico(
      ['lb', 'test', 'default', '-n', '600', '-c', '6', '--admin', `127.0.0.1:${admin}`, '--json'],
      { env },
    );
    expect(test.code).toBe(0);
    const doc = test.json<{
      requests: number;
      statuses: Record<string, number>;
      distribution: Array<{ share: number; withinTolerance: boolean; judged: boolean }>;
    }>();
    expect(doc.requests).toBe(600);
    expect(doc.statuses).toEqual({ '200': 600 });
    expect(doc.distribution).toHaveLength(2);
    expect(doc.distribution.every((d) => d.judged && d.withinTolerance)).toBe(true);

    const healthy = await runPortico(['lb', 'status', '--admin', `127.0.0.1:${admin}`], { env });
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toMatch(/default\s+127\.0\.0\.1:\d+\s+up/);

    b.setHealthy(false);
    let status = await runPortico(['lb', 'status', '--admin', `127.0.0.1:${admin}`, '--json'], { env });
    for (let i = 0; i < 50 && status.code === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await runPortico(['lb', 'status', '--admin', `127.0.0.1:${admin}`, '--json'], { env });
    }
    expect(status.code).toBe(1);
    await stopProcess(serve);
    expect(serve.exitCode).toBe(0);
  });

  it.each([
    [['lb', 'serve'], 'E_USAGE', 'nothing to balance'],
    [['lb', 'serve', '--upstream', 'nope'], 'E_USAGE', '--upstream'],
    [
      ['lb', 'serve', '--upstream', '127.0.0.1:9', '--algorithm', 'fastest'],
      'E_USAGE',
      "argument 'fastest' is invalid",
    ],
    [
      ['lb', 'serve', '--config', 'bad-upstream.yaml'],
      'E_LB_CONFIG',
      'bad-upstream.yaml:6:9: routes.0.upstreams.1',
    ],
    [['lb', 'serve', '--config', 'bad-hash.yaml'], 'E_LB_CONFIG', 'consistent-hash needs hashOn'],
    [
      ['lb', 'serve', '--config', 'bad-hash.yaml', '--upstream', '127.0.0.1:9'],
      'E_USAGE',
      '--upstream cannot be combined with --config',
    ],
    [
      ['lb', 'serve', '--config', 'bad-hash.yaml', '--listen', '127.0.0.1:99999'],
      'E_LB_CONFIG',
      'consistent-hash needs hashOn',
    ],
    [
      ['lb', 'serve', '--config', 'exposed-admin.yaml'],
      'E_LB_CONFIG',
      'reachable from the network without a token',
    ],
    [
      ['lb', 'status', '--admin', '127.0.0.1:1'],
      'E_LB_ADMIN_UNREACHABLE',
      "cannot reach the balancer's admin endpoint",
    ],
    [['lb', 'test', 'http://127.0.0.1:1/', '-n', '0'], 'E_USAGE', '-n "0" must be a whole number'],
    [
      [
        'lb',
        'generate',
        '--target',
        'caddy',
        '--mode',
        'tcp',
        '--listen',
        '127.0.0.1:7000',
        '--upstream',
        '127.0.0.1:9',
      ],
      'E_LB_EXPORT_UNSUPPORTED',
      'standard Caddy has no layer-4 proxy',
    ],
  ])('%j → %s', async (args, code, message) => {
    const r = await runPortico(args, { cwd: fixtures, env: { PORTICO_HOME: tempDir() } });
    expect(r.code).toBe(2);
    if (!code.startsWith('E_USAGE') || !message.includes('argument')) expect(r.stderr).toContain(`[${code}]`);
    expect(r.stderr).toContain(message);
  });

  it('refuses to start when the port is taken, naming the holder command', async () => {
    const up = await startUpstream('x');
    const r = await runPortico(
      ['lb', 'serve', '--listen', `127.0.0.1:${up.port}`, '--upstream', '127.0.0.1:9', '--no-admin'],
      { env: { PORTICO_HOME: tempDir() } },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[E_LB_LISTEN]');
    expect(r.stderr).toContain(`portico ports who ${up.port}`);
  });

  it('creates the development CA once and explains how to trust it', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const first = (await runPortico(['lb', 'ca', '--json'], { env })).json<{
      created: boolean;
      certificate: string;
    }>();
    const second = (await runPortico(['lb', 'ca', '--json'], { env })).json<{
      created: boolean;
      certificate: string;
    }>();
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.certificate).toBe(first.certificate);
  });
});
