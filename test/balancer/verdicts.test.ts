import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { BalancerStatus } from '../../src/balancer/status.js';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { startServe } from './serve-process.js';

interface Row {
  upstream: string;
  share: number;
  expected: number;
  verdict: string;
  panic: boolean;
  notes: string[];
}

async function status(admin: number): Promise<BalancerStatus> {
  const res = await request(`http://127.0.0.1:${admin}/status`);
  return (await res.body.json()) as BalancerStatus;
}

/** A balancer from a config file with fast health checks on /health. */
async function serveWith(ups: TestUpstream[], extra = '') {
  const dir = tempDir();
  const file = join(dir, 'portico-lb.yaml');
  writeFileSync(
    file,
    `${extra}routes:\n  - name: web\n    upstreams: [${ups.map((u) => `"127.0.0.1:${u.port}"`).join(', ')}]\n` +
      '    healthCheck: { path: /health, interval: 100ms, timeout: 100ms, rise: 1, fall: 1 }\n',
  );
  const env = { PORTICO_HOME: tempDir() };
  const s = await startServe(['--config', file], env);
  const lbTest = async (...args: string[]) =>
    await runPortico(
      ['lb', 'test', 'web', '-n', '600', '-c', '3', '--admin', `127.0.0.1:${s.admin}`, ...args],
      {
        env,
      },
    );
  const lbStatus = async (...args: string[]) =>
    await runPortico(['lb', 'status', '--admin', `127.0.0.1:${s.admin}`, ...args], { env });
  return { s, lbTest, lbStatus, id: (u: TestUpstream) => `127.0.0.1:${u.port}` };
}

describe('lb test verdicts and lb status', () => {
  it('reports a down upstream as down (exit 1), never as ok at 0% of 0%', async () => {
    const ups = await Promise.all([startUpstream('a'), startUpstream('b'), startUpstream('c')]);
    const { s, lbTest, lbStatus, id } = await serveWith(ups, 'slowStart: 0s\n');
    const healthy = await lbTest('--json');
    expect(healthy.code).toBe(0);
    expect(healthy.json<{ distribution: Row[] }>().distribution.map((d) => d.verdict)).toEqual([
      'ok',
      'ok',
      'ok',
    ]);

    ups[2]!.setHealthy(false);
    await waitFor(async () => !(await status(s.admin)).routes[0]!.upstreams[2]!.inRotation, {
      what: 'c out of rotation',
    });
    const r = await lbTest('--json');
    expect(r.code).toBe(1);
    const rows = r.json<{ distribution: Row[] }>().distribution;
    const c = rows.find((d) => d.upstream === id(ups[2]!))!;
    expect(c.verdict).toBe('down');
    expect(c.notes).toContain('failing its health check');
    expect(rows.filter((d) => d.verdict === 'ok').map((d) => d.expected)).toEqual([50, 50]);
    const human = await lbTest();
    expect(human.stdout).toContain('down: failing its health check');
    expect((await lbStatus()).stdout).toMatch(/web\s+127\.0\.0\.1:\d+\s+down/);
    s.child.kill('SIGTERM');
    await s.exited;
  });

  it('expects every upstream to take traffic in panic mode, and says the route is in panic', async () => {
    const ups = await Promise.all([startUpstream('p1'), startUpstream('p2')]);
    const { s, lbTest, lbStatus } = await serveWith(ups, 'slowStart: 0s\noutlier: { panicThreshold: 60 }\n');
    ups[1]!.setHealthy(false);
    await waitFor(async () => (await status(s.admin)).routes[0]!.panic, { what: 'panic mode' });
    const r = await lbTest('--json');
    expect(r.code).toBe(1); // a route in panic is a problem, even though every request succeeded
    const doc = r.json<{ statuses: Record<string, number>; distribution: Row[] }>();
    expect(doc.statuses).toEqual({ '200': 600 });
    expect(doc.distribution.map((d) => [d.verdict, d.expected, d.panic])).toEqual([
      ['ok', 50, true],
      ['ok', 50, true],
    ]);
    expect((await lbTest()).stdout).toContain('route web was in panic mode');
    const st = await lbStatus();
    expect(st.code).toBe(1);
    expect(st.stdout).toContain('route web is in panic mode: fewer than 60% of its upstreams are healthy');
    s.child.kill('SIGTERM');
    await s.exited;
  });

  it('expects less from an upstream warming up (slow start), and lb status shows it warming', async () => {
    const ups = await Promise.all([startUpstream('warm'), startUpstream('cold')]);
    const { s, lbTest, lbStatus, id } = await serveWith(ups, 'slowStart: 10m\n');
    ups[1]!.setHealthy(false);
    await waitFor(async () => !(await status(s.admin)).routes[0]!.upstreams[1]!.inRotation, {
      what: 'cold out of rotation',
    });
    ups[1]!.setHealthy(true);
    await waitFor(async () => (await status(s.admin)).routes[0]!.upstreams[1]!.slowStart, {
      what: 'cold back, warming up',
    });
    const r = await lbTest('--json', '-n', '1000');
    const rows = r.json<{ distribution: Row[] }>().distribution;
    const cold = rows.find((d) => d.upstream === id(ups[1]!))!;
    // 10% of its weight for the whole test: 0.1 / 1.1 of the traffic, not half.
    expect(cold.expected).toBeGreaterThan(8);
    expect(cold.expected).toBeLessThan(11);
    expect(cold.verdict).toBe('ok');
    expect(cold.notes.some((n) => n.startsWith('slow start (10%'))).toBe(true);
    expect(r.code).toBe(0);
    const st = await lbStatus();
    expect(st.stdout).toMatch(/web\s+127\.0\.0\.1:\d+\s+warming 10%/);
    expect(st.stdout).toContain('is warming up (slow start)');
    expect(st.stdout).toMatch(/SHARE \d+s/);
    s.child.kill('SIGTERM');
    await s.exited;
  });

  it('lb status shows ejections', async () => {
    const [a, k] = await Promise.all([startUpstream('stay'), startUpstream('gone')]);
    const dir = tempDir();
    const file = join(dir, 'portico-lb.yaml');
    writeFileSync(
      file,
      `outlier: { consecutiveErrors: 1, baseEjection: 1m }\nretry: { attempts: 2, minPerSecond: 100 }\n` +
        `routes:\n  - { name: web, upstreams: ["127.0.0.1:${a.port}", "127.0.0.1:${k.port}"], healthCheck: false }\n`,
    );
    const env = { PORTICO_HOME: tempDir() };
    const s = await startServe(['--config', file], env);
    await k.kill();
    await waitFor(
      async () => {
        await (await request(`http://127.0.0.1:${s.listen}/`)).body.dump();
        return (await status(s.admin)).routes[0]!.ejectedNow === 1;
      },
      { what: 'the dead upstream to be ejected' },
    );
    const st = await runPortico(['lb', 'status', '--admin', `127.0.0.1:${s.admin}`], { env });
    expect(st.code).toBe(1);
    expect(st.stdout).toMatch(/web\s+127\.0\.0\.1:\d+\s+ejected/);
    expect(st.stdout).toContain('route web: 1 upstream(s) ejected now, 1 ejection(s) since start');
    s.child.kill('SIGTERM');
    await s.exited;
  });
});
