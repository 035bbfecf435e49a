import { type AddressInfo, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCheckSpec } from '../../src/checks/define.js';
import { runCheck } from '../../src/checks/run-check.js';
import { type ScheduledCheck, Scheduler } from '../../src/checks/scheduler.js';
import type { CheckState } from '../../src/core/model.js';
import { waitFor } from '../helpers/wait.js';

const schedulers: Scheduler[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const s of schedulers.splice(0)) s.stop();
  for (const s of servers.splice(0)) s.close();
});

async function listener(): Promise<{ port: number; server: Server }> {
  const server = createServer((s) => s.on('error', () => {})); // accepts and keeps the connection, as a server does
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, server };
}

function scheduler(options: ConstructorParameters<typeof Scheduler>[0]): Scheduler {
  const s = new Scheduler(options);
  schedulers.push(s);
  return s;
}

const tcp = (
  instanceId: string,
  port: number,
  spec = 'tcp,interval=200ms,timeout=100ms',
): ScheduledCheck => ({
  instanceId,
  address: '127.0.0.1',
  port,
  check: parseCheckSpec(spec),
});

describe('Scheduler', () => {
  it('spreads first runs across the interval instead of firing all at once', async () => {
    const { port } = await listener();
    const starts: number[] = [];
    const s = scheduler({
      run: (c, t, o) => {
        starts.push(Date.now());
        return runCheck(c, t, o);
      },
    });
    s.set(Array.from({ length: 20 }, (_, i) => tcp(`i${i}`, port, 'tcp,interval=1s,timeout=200ms')));
    const t0 = Date.now();
    s.start();
    await waitFor(() => starts.length >= 20, { timeoutMs: 3000 });
    const offsets = starts.slice(0, 20).map((t) => t - t0);
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeGreaterThan(300);
  });

  it('never overlaps runs of one check, and bounds concurrency', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const perKey = new Map<string, number>();
    let overlap = false;
    const s = scheduler({
      concurrency: 3,
      run: async (check, target) => {
        const key = `${target.instanceId}/${check.id}`;
        if ((perKey.get(key) ?? 0) > 0) overlap = true;
        perKey.set(key, 1);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 150)); // longer than the 50ms interval
        inFlight--;
        perKey.set(key, 0);
        return { status: 'passing', output: 'ok', durationMs: 150, at: Date.now() };
      },
    });
    s.set(Array.from({ length: 8 }, (_, i) => tcp(`i${i}`, 1, 'tcp,interval=50ms,timeout=50ms')));
    s.start();
    await waitFor(() => s.stats.runs >= 24, { timeoutMs: 5000 });
    expect(overlap).toBe(false);
    expect(maxInFlight).toBe(3);
  });

  it('reconciles: added checks start, removed checks stop', async () => {
    const { port } = await listener();
    const seen = new Set<string>();
    const s = scheduler({ onResult: (t) => seen.add(t.instanceId) });
    s.set([tcp('a', port)]);
    s.start();
    await waitFor(() => seen.has('a'));
    s.set([tcp('b', port)]);
    expect(s.size).toBe(1);
    seen.clear();
    await waitFor(() => seen.has('b'));
    await new Promise((r) => setTimeout(r, 450));
    expect(seen.has('a')).toBe(false);
  });

  it('goes passing → warning → critical as a real listener dies, and deregisters after the grace time', async () => {
    const { port, server } = await listener();
    const transitions: string[] = [];
    const deregistered: string[] = [];
    const s = scheduler({
      onTransition: (state: CheckState) => transitions.push(state.status),
      onDeregister: (id) => deregistered.push(id),
    });
    s.set([tcp('db', port, 'tcp,interval=100ms,timeout=100ms,fall=2,deregisterAfter=300ms')]);
    s.start();
    await waitFor(() => transitions.includes('passing'));
    await new Promise<void>((r) => server.close(() => r()));
    await waitFor(() => transitions.includes('critical'), { timeoutMs: 3000 });
    expect(transitions).toEqual(['passing', 'warning', 'critical']);
    expect(s.states()[0]).toMatchObject({ status: 'critical', reason: 'refused' });
    await waitFor(() => deregistered.length === 1, { timeoutMs: 3000 });
    expect(deregistered).toEqual(['db']);
  });

  it('gives the slot of a probe that only waits to the next check (concurrency 1, two checks)', async () => {
    const started: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const s = scheduler({
      concurrency: 1,
      run: async (c, t, o) => {
        started.push(t.instanceId);
        if (t.instanceId === 'a') {
          o.waiting?.(); // from here on only a socket and a timer
          await gate;
        }
        return runCheck(c, t, o);
      },
    });
    const { port } = await listener();
    s.set([tcp('a', port, 'tcp,interval=50ms,timeout=1s'), tcp('b', port, 'tcp,interval=50ms,timeout=1s')]);
    s.start();
    // b runs while a still waits: with the slot kept, b could not start until the gate opens.
    await waitFor(() => started.includes('a') && started.includes('b'), { timeoutMs: 3000 });
    open();
  });

  it('a TCP probe says it is only waiting once connected, before it holds the connection', async () => {
    const { port } = await listener();
    const { tcpProbe } = await import('../../src/checks/probes/tcp.js');
    const events: string[] = [];
    const outcome = await tcpProbe.run(
      parseCheckSpec('tcp') as never,
      { address: '127.0.0.1', port, instanceId: 'x' },
      {
        signal: new AbortController().signal,
        timeoutMs: 1000,
        env: {},
        now: Date.now,
        waiting: () => events.push('waiting'),
      },
    );
    events.push(outcome.status);
    expect(events).toEqual(['waiting', 'passing']);
    expect(outcome.steps!.map((x) => x.name)).toEqual(['connect', 'stay connected']);
  });

  it('applies TTL reports made in process', async () => {
    const s = scheduler({});
    s.set([
      {
        instanceId: 'job',
        address: '127.0.0.1',
        port: 1,
        check: parseCheckSpec('ttl:1s,interval=100ms,rise=1'),
      },
    ]);
    s.start();
    await waitFor(() => s.states()[0]?.status === 'critical');
    s.reportTtl('job', 'ttl', 'passing', 'batch done');
    await waitFor(() => s.states()[0]?.status === 'passing');
    expect(s.states()[0]?.output).toBe('batch done');
  });
});
