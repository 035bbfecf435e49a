import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apply, currentStatus } from '../../src/balancer/catalog.js';
import { UpstreamPool } from '../../src/balancer/pool.js';
import { ShareWindow } from '../../src/balancer/share-window.js';
import type { CheckState, Instance } from '../../src/core/model.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { get, startBalancer } from './harness.js';

describe('metrics', () => {
  it('names the default process metrics portico_lb_process_…, never portico_lb_process_process_…', async () => {
    const up = await startUpstream('metrics');
    const { admin } = await startBalancer({
      routes: [{ name: 'api', upstreams: [`127.0.0.1:${up.port}`], healthCheck: false }],
    });
    const text = (await get(`http://${admin}/metrics`)).body;
    expect(text).toMatch(/^portico_lb_process_cpu_seconds_total /m);
    expect(text).toMatch(/^portico_lb_nodejs_heap_size_used_bytes /m);
    expect(text).not.toContain('process_process');
    expect(text).not.toMatch(/^(process|nodejs)_/m);
  });
});

describe('traffic share over a recent window', () => {
  it('counts only the requests inside the window, next to the share since start', () => {
    const pool = new UpstreamPool(
      'r',
      'round-robin',
      {
        outlier: {
          consecutiveErrors: 3,
          baseEjectionMs: 1000,
          maxEjectionMs: 10_000,
          maxEjectionPercent: 50,
          panicThresholdPercent: 50,
        },
        circuit: { maxConcurrent: 10, maxPending: 0 },
        slowStartMs: 0,
      },
      [
        { id: 'a', address: '127.0.0.1', port: 1, weight: 1 },
        { id: 'b', address: '127.0.0.1', port: 2, weight: 1 },
      ],
    );
    const [a, b] = pool.upstreams as [(typeof pool.upstreams)[0], (typeof pool.upstreams)[0]];
    const w = new ShareWindow(() => [pool], 60_000, 5000);
    const t0 = 1_000_000;
    w.sample(t0);
    a.requests = 900; // the first minutes: all to a
    for (let t = t0 + 5000; t <= t0 + 120_000; t += 5000) {
      if (t > t0 + 60_000) {
        a.requests += 50;
        b.requests += 50;
      }
      w.sample(t);
    }
    const recent = w.recent(pool, t0 + 120_000);
    expect(recent.windowMs).toBe(60_000);
    expect(recent.requests.get('a')).toBe(600);
    expect(recent.requests.get('b')).toBe(600);
    // Since start a has 1,500 of 2,100: the window shows today's even split instead.
  });

  it('covers the time since start before a full window has passed', () => {
    const pool = new UpstreamPool(
      'r',
      'round-robin',
      {
        outlier: {
          consecutiveErrors: 3,
          baseEjectionMs: 1000,
          maxEjectionMs: 10_000,
          maxEjectionPercent: 50,
          panicThresholdPercent: 50,
        },
        circuit: { maxConcurrent: 10, maxPending: 0 },
        slowStartMs: 0,
      },
      [{ id: 'a', address: '127.0.0.1', port: 1, weight: 1 }],
    );
    const w = new ShareWindow(() => [pool]);
    w.sample(0);
    pool.upstreams[0]!.requests = 7;
    expect(w.recent(pool, 10_000)).toEqual({ windowMs: 10_000, requests: new Map([['a', 7]]) });
  });
});

describe('--catalog: stale statuses are unknown', () => {
  const instance = (id: string, port: number): Instance => ({
    id,
    service: 'orders',
    address: '127.0.0.1',
    port,
    protocol: 'http',
    tags: [],
    meta: {},
    source: 'cli',
    checks: [{ id: 'tcp', kind: 'tcp', intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 1 }],
  });
  const state = (id: string, status: CheckState['status'], at: number): CheckState => ({
    instanceId: id,
    checkId: 'tcp',
    status,
    output: '',
    since: at - 600_000,
    lastResult: { status, output: '', durationMs: 1, at },
  });

  it('treats a result older than three check intervals as unknown, a fresh one as it is', () => {
    const now = 10_000_000;
    const i = instance('a', 1);
    expect(currentStatus(i, [state('a', 'passing', now - 2000)], now)).toBe('passing');
    expect(currentStatus(i, [state('a', 'passing', now - 3500)], now)).toBe('unknown');
    expect(currentStatus(i, [state('a', 'critical', now - 500)], now)).toBe('critical');
    expect(currentStatus(i, [state('a', 'critical', now - 60_000)], now)).toBe('unknown');
  });

  it('keeps a live instance whose stale status says critical, checks it itself, and reports unknown', async () => {
    const [live, dead] = await Promise.all([startUpstream('live'), startUpstream('dead')]);
    await dead.kill();
    const store = new SqliteStore({ path: join(tempDir(), 'catalog.db') });
    await store.register(instance('live', live.port));
    await store.register(instance('dead', dead.port));
    const now = Date.now();
    // The monitor stopped a minute ago: it last saw "live" critical and "dead" passing.
    await store.putCheckState(state('live', 'critical', now - 60_000));
    await store.putCheckState(state('dead', 'passing', now - 60_000));
    const { url, balancer } = await startBalancer({
      catalog: true,
      healthCheck: { interval: '100ms', timeout: '100ms', rise: 1, fall: 1 },
    });
    apply(balancer, await store.listInstances(), await store.checkStates());
    const upstreams = () => balancer.status().routes[0]!.upstreams;
    expect(upstreams().map((u) => u.catalogStatus)).toEqual(['unknown', 'unknown']);
    // The balancer's own check takes the dead one out; the live one serves.
    await waitFor(() => upstreams().find((u) => u.port === dead.port)!.inRotation === false, {
      what: 'the dead instance out of rotation',
    });
    for (let i = 0; i < 5; i++)
      expect((await get(`${url}/`, { host: 'orders.localhost' })).body).toBe('live');

    // A fresh critical still counts.
    await store.putCheckState(state('live', 'critical', Date.now()));
    apply(balancer, await store.listInstances(), await store.checkStates());
    expect(upstreams().find((u) => u.port === live.port)!.catalogStatus).toBe('critical');
    expect(upstreams().find((u) => u.port === live.port)!.inRotation).toBe(false);
    await store.close();
  });
});

describe('lb test under load', () => {
  it('prints no Node warning (MaxListenersExceeded) with 50 concurrent requests', async () => {
    const up = await startUpstream('many');
    const r = await runPortico(['lb', 'test', `http://127.0.0.1:${up.port}/`, '-n', '500', '-c', '50']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/Warning/);
    expect(r.stdout).toContain('500 requests');
  });
});
