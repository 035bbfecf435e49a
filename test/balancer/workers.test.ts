import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { alive, childPidOf, load, type ServeProcess, startServe, workersStatus } from './serve-process.js';

async function metric(s: ServeProcess, line: RegExp): Promise<number> {
  const text = await (await request(`http://127.0.0.1:${s.admin}/metrics`)).body.text();
  return [...text.matchAll(new RegExp(line.source, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
}

// fall 2 and a 1 s timeout: on a loaded machine one slow probe of the healthy upstream must not
// take it out too (both out = panic mode, which sends to the sick one again).
const config = (ups: TestUpstream[], extra = ''): string =>
  `routes:\n  - name: web\n    upstreams: [${ups.map((u) => `"127.0.0.1:${u.port}"`).join(', ')}]\n` +
  `    healthCheck: { path: /health, interval: 100ms, timeout: 1s, rise: 1, fall: 2 }\n${extra}`;

const started: ServeProcess[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) {
    if (s.child.exitCode === null) s.child.kill('SIGKILL');
    // The launcher's SIGKILL leaves the primary to notice (IPC gone) and drain; wait for it.
    await s.exited;
  }
});

async function serve(ups: TestUpstream[], extra = ''): Promise<ServeProcess & { file: string }> {
  const file = join(tempDir(), 'portico-lb.yaml');
  writeFileSync(file, config(ups, extra));
  const s = await startServe(['--config', file, '--workers', '2'], { PORTICO_HOME: tempDir() });
  started.push(s);
  return { ...s, file };
}

describe('lb serve --workers 2', () => {
  it('serves from both workers, sums their metrics and status, and one checker ejects a dead upstream in all', async () => {
    const [a, b] = await Promise.all([startUpstream('a'), startUpstream('b')]);
    const s = await serve([a, b]);
    expect(s.stdout()).toMatch(/workers 2 \(pids \d+, \d+\)/);

    const first = await load(s, 400);
    expect(first.failed).toEqual([]);
    expect(first.ok).toHaveLength(400);
    const st = await workersStatus(s);
    // Both worker processes answered requests (round-robin hands connections to each in turn).
    expect(st.workers).toHaveLength(2);
    expect(new Set(st.workers.map((w) => w.pid)).size).toBe(2);
    for (const w of st.workers) expect(w.requests).toBeGreaterThan(0);
    const byUpstream = st.routes[0]!.upstreams.map((u) => u.requests);
    expect(byUpstream.reduce((x, y) => x + y, 0)).toBe(400);
    expect(st.workers.reduce((n, w) => n + w.requests, 0)).toBe(400);
    const human = await runPortico(['lb', 'status', '--admin', `127.0.0.1:${s.admin}`]);
    expect(human.stdout).toMatch(/workers: 2 \(pid \d+: \d+ requests; pid \d+: \d+ requests\)/);
    // /metrics is the sum over the workers, not one worker's share.
    expect(await metric(s, /^portico_lb_requests_total\{[^}]*code="2xx"[^}]*\} (\d+)$/)).toBe(400);

    // One health checker (the primary's): b failing its checks leaves rotation in every worker.
    b.setHealthy(false);
    await waitFor(async () => (await workersStatus(s)).routes[0]!.upstreams[1]!.activeHealthy === false, {
      what: 'b out of rotation',
      timeoutMs: 10_000,
    });
    const rootBefore = b.hits.get('/') ?? 0;
    const after = await load(s, 200);
    expect(after.failed).toEqual([]);
    expect(after.ok.every((x) => x === 'a')).toBe(true);
    expect(b.hits.get('/') ?? 0).toBe(rootBefore); // no worker sent it anything
    // Only the primary probes: health checks arrive at the configured pace of one checker,
    // not one per worker (3 processes would triple them).
    const h0 = a.hits.get('/health') ?? 0;
    const t0 = Date.now();
    await waitFor(() => (a.hits.get('/health') ?? 0) >= h0 + 10, {
      what: 'ten more checks',
      timeoutMs: 10_000,
    });
    const perSecond = ((a.hits.get('/health') ?? 0) - h0) / ((Date.now() - t0) / 1000);
    expect(perSecond).toBeLessThan(20); // 100 ms interval: ~10/s from one checker, ~30/s from three
  });

  it('applies a SIGHUP reload in every worker', async () => {
    const [a, b] = await Promise.all([startUpstream('a'), startUpstream('b')]);
    const s = await serve([a]);
    expect((await load(s, 100)).ok.every((x) => x === 'a')).toBe(true);
    writeFileSync(s.file, config([b]));
    s.child.kill('SIGHUP'); // to the launcher, which passes it on to the primary
    await waitFor(() => s.stderr().includes('0 route(s) added, 1 changed, 0 removed'), {
      what: 'the reload',
    });
    await waitFor(
      async () => (await workersStatus(s)).routes[0]!.upstreams[0]!.id === `127.0.0.1:${b.port}`,
      {
        what: 'every worker on the new upstream',
      },
    );
    const st = await workersStatus(s);
    expect(st.routes[0]!.upstreams.map((u) => u.id)).toEqual([`127.0.0.1:${b.port}`]);
    const after = await load(s, 200);
    expect(after.failed).toEqual([]);
    expect(after.ok.every((x) => x === 'b')).toBe(true);
    const per = (await workersStatus(s)).workers;
    for (const w of per) expect(w.requests).toBeGreaterThan(0); // both workers served b
  });

  it('drains every worker on SIGTERM: in-flight requests finish with zero errors', async () => {
    const up = await startUpstream('d');
    const s = await serve([up]);
    const agent = new Agent({ connections: 8 });
    const slow = Array.from({ length: 8 }, () =>
      request(`http://127.0.0.1:${s.listen}/slow?ms=1500`, { dispatcher: agent }).then(
        async (r) => `${r.statusCode} ${await r.body.text()}`,
        (e: Error) => `error ${e.message}`,
      ),
    );
    await waitFor(() => (up.hits.get('/slow') ?? 0) === 8, { what: '8 requests in flight' });
    const st = await workersStatus(s);
    expect(st.workers.filter((w) => w.requests > 0)).toHaveLength(2); // spread over both workers
    s.child.kill('SIGTERM');
    expect(await Promise.all(slow)).toEqual(Array.from({ length: 8 }, () => '200 d'));
    expect(await s.exited).toBe(0);
    expect(s.stdout()).toMatch(/drained 8 in-flight requests in \d+ ms; 0 cut \(2 of 2 workers reported\)/);
    await agent.close();
  });

  it('replaces a worker that dies, and keeps serving', async () => {
    const up = await startUpstream('r');
    const s = await serve([up]);
    const primary = childPidOf(s.child.pid!);
    const before = (await workersStatus(s)).workers;
    const victim = before[0]!.pid;
    process.kill(victim, 'SIGKILL');
    await waitFor(() => s.stderr().includes(`(pid ${victim}) exited (SIGKILL); starting a new one`), {
      what: 'the primary to notice',
      detail: () =>
        `primary ${primary} ${alive(primary) ? 'alive' : 'gone'}, worker ${victim} ${alive(victim) ? 'alive' : 'gone'}; stderr:\n${s.stderr().slice(-3000)}`,
    });
    const now = await waitFor(
      async () => {
        const w = (await workersStatus(s)).workers;
        return w.length === 2 && !w.some((x) => x.pid === victim) && w.every((x) => x.pid > 0)
          ? w
          : undefined;
      },
      { what: 'a replacement worker', timeoutMs: 15_000 },
    );
    expect(now[0]!.restarts).toBe(1);
    expect(alive(victim)).toBe(false);
    expect(alive(primary)).toBe(true);
    const after = await load(s, 100);
    expect(after.failed).toEqual([]);
    expect((await workersStatus(s)).workers.every((w) => w.requests > 0)).toBe(true);
  });

  it.each([['0'], ['two'], ['1.5'], ['100000']])(
    'rejects --workers %s with exit 2, before listening',
    async (value) => {
      const r = await runPortico(['lb', 'serve', '--upstream', '127.0.0.1:1', '--workers', value], {
        env: { PORTICO_HOME: tempDir() },
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('error[E_USAGE]: --workers must be a number from 1 to 256, or auto');
      expect(r.stdout).toBe('');
    },
  );
});
