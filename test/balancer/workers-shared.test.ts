import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { load, type ServeProcess, startServe, workersStatus } from './serve-process.js';

/** A real backend that answers 502 while `failing` (a broken app behind a healthy port). */
async function flakyBackend(
  name: string,
): Promise<{ port: number; hits: () => number; failing: boolean; server: Server }> {
  let hits = 0;
  const b = {
    port: 0,
    hits: () => hits,
    failing: true,
    server: createServer((_req, res) => {
      hits++;
      if (b.failing) res.writeHead(502).end(`${name} broken`);
      else res.end(name);
    }),
  };
  await new Promise<void>((r) => b.server.listen(0, '127.0.0.1', () => r()));
  b.port = (b.server.address() as AddressInfo).port;
  return b;
}

const started: ServeProcess[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) {
    if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await s.exited;
  }
  for (const srv of servers.splice(0)) {
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});

async function serveWorkers(yaml: string): Promise<ServeProcess & { file: string }> {
  const file = join(tempDir(), 'portico-lb.yaml');
  writeFileSync(file, yaml);
  const s = await startServe(['--config', file, '--workers', '2'], { PORTICO_HOME: tempDir() });
  started.push(s);
  return { ...s, file };
}

/**
 * Eject `b` in exactly one worker: one keep-alive connection (one worker) sends GETs until b
 * has failed enough (each 502 is retried on a, so the client sees 200s).
 */
async function ejectThroughOneWorker(s: ServeProcess, id: string): Promise<void> {
  const agent = new Agent({ connections: 1 });
  try {
    await waitFor(
      async () => {
        const res = await request(`http://127.0.0.1:${s.listen}/`, { dispatcher: agent });
        await res.body.dump();
        const b = (await workersStatus(s)).routes[0]!.upstreams.find((u) => u.id === id)!;
        return b.ejectedUntil !== null;
      },
      { what: `${id} ejected`, timeoutMs: 10_000 },
    );
  } finally {
    await agent.close();
  }
}

const ejectionConfig = (a: number, b: number, ejection: string): string =>
  [
    'slowStart: 0',
    `outlier: { consecutiveErrors: 3, baseEjection: ${ejection}, maxEjection: ${ejection} }`,
    'routes:',
    '  - name: web',
    `    upstreams: ["127.0.0.1:${a}", "127.0.0.1:${b}"]`,
    '    healthCheck: false',
  ].join('\n');

describe('lb serve --workers 2 shares passive ejections', () => {
  it('after one worker ejects a failing upstream, no worker routes to it', async () => {
    const a = await startUpstream('a');
    const b = await flakyBackend('b');
    servers.push(b.server);
    const s = await serveWorkers(ejectionConfig(a.port, b.port, '60s'));
    await ejectThroughOneWorker(s, `127.0.0.1:${b.port}`);
    const before = await workersStatus(s);
    const hitsBefore = b.hits();
    // Eight connections: cluster hands them to both workers, including the one that saw nothing.
    const r = await load(s, 300, 8);
    expect(r.failed).toEqual([]);
    expect(r.ok.every((x) => x === 'a')).toBe(true);
    expect(b.hits()).toBe(hitsBefore);
    const after = await workersStatus(s);
    for (const w of after.workers) {
      const was = before.workers.find((x) => x.pid === w.pid)!.requests;
      expect(w.requests).toBeGreaterThan(was); // both workers served this load
    }
    const up = after.routes[0]!.upstreams.find((u) => u.id === `127.0.0.1:${b.port}`)!;
    expect(up.inRotation).toBe(false); // out in every worker
    expect(up.ejections).toBe(1); // counted once, by the worker that decided it
  });

  it('readmits a recovered upstream in every worker when the ejection ends', async () => {
    const a = await startUpstream('a');
    const b = await flakyBackend('b');
    servers.push(b.server);
    const s = await serveWorkers(ejectionConfig(a.port, b.port, '1s'));
    const id = `127.0.0.1:${b.port}`;
    await ejectThroughOneWorker(s, id);
    b.failing = false;
    await waitFor(
      async () => {
        const u = (await workersStatus(s)).routes[0]!.upstreams.find((x) => x.id === id)!;
        return u.ejectedUntil === null && u.inRotation;
      },
      { what: `${id} back in every worker`, timeoutMs: 10_000 },
    );
    const hitsBefore = b.hits();
    const r = await load(s, 400, 8);
    expect(r.failed).toEqual([]);
    // Round-robin in each worker: b takes half of every worker's requests, so half in all
    // (a worker still ejecting it would bring it down to a quarter or less).
    expect(b.hits() - hitsBefore).toBeGreaterThanOrEqual(190);
    expect(b.hits() - hitsBefore).toBeLessThanOrEqual(210);
  });
});

/**
 * Keep-alive GETs on `c` connections, continuously until stopped (bounded: 2 minutes, 100k
 * requests): what a client pool sees across catalog changes and reloads.
 */
function clientPool(s: ServeProcess, c: number, host?: string) {
  const agent = new Agent({ connections: c, keepAliveTimeout: 60_000 });
  const byBody = new Map<string, number>();
  const failed: string[] = [];
  let stop = false;
  let n = 0;
  const deadline = Date.now() + 120_000;
  const done = Promise.all(
    Array.from({ length: c }, async () => {
      while (!stop && Date.now() < deadline && n < 100_000) {
        n++;
        try {
          const res = await request(`http://127.0.0.1:${s.listen}/`, {
            dispatcher: agent,
            ...(host ? { headers: { host } } : {}),
          });
          const body = await res.body.text();
          if (res.statusCode === 200) byBody.set(body, (byBody.get(body) ?? 0) + 1);
          else failed.push(`${res.statusCode} ${body}`);
        } catch (error) {
          failed.push((error as Error).message);
        }
      }
    }),
  );
  return {
    byBody,
    failed,
    requests: () => n,
    async stop(): Promise<void> {
      stop = true;
      await done;
      await agent.close();
    },
  };
}

describe('lb serve --workers 2 --catalog', () => {
  it('an instance registered in the catalog gets traffic from every worker; a deregistered one none, with zero client errors', async () => {
    const [a, b, c] = await Promise.all([
      startUpstream('cat-a'),
      startUpstream('cat-b'),
      startUpstream('cat-c'),
    ]);
    const store = `sqlite://${join(tempDir(), 'catalog.db')}`;
    const home = tempDir();
    const catalog = (args: string[]) =>
      runPortico(['--project', 'shop', 'discovery', ...args, '--store', store], {
        env: { PORTICO_HOME: home },
      });
    const register = (port: number) =>
      catalog(['register', 'orders', '--address', '127.0.0.1', '--port', String(port), '--protocol', 'http']);
    expect((await register(a.port)).code).toBe(0);
    const s = await startServe(['--project', 'shop', '--catalog', '--store', store, '--workers', '2'], {
      PORTICO_HOME: home,
    });
    started.push(s);
    const host = 'orders.localhost';
    await waitFor(async () => (await load(s, 8, 8, { host })).ok.length === 8, { what: 'orders routed' });
    const first = await load(s, 100, 8, { host });
    expect(first.failed).toEqual([]);
    expect(first.ok.every((x) => x === 'cat-a')).toBe(true);

    const pool = clientPool(s, 8, host);
    try {
      expect((await register(b.port)).code).toBe(0);
      // Round-robin in each worker: once every worker has b, it takes half of all requests;
      // a worker without it would leave b a quarter or less.
      await waitFor(
        async () => {
          const r = await load(s, 200, 8, { host });
          return r.ok.filter((x) => x === 'cat-b').length >= 90;
        },
        { what: 'every worker sending to the new instance', timeoutMs: 15_000 },
      );
      const d = await catalog(['deregister', `cli:orders:127.0.0.1:${a.port}`]);
      expect(d.code, d.stderr).toBe(0);
      await waitFor(
        async () => {
          const st = await workersStatus(s);
          return st.routes.find((r) => r.name === 'catalog:orders')!.upstreams.length === 1;
        },
        { what: 'every worker to drop the deregistered instance', timeoutMs: 15_000 },
      );
      const aBefore = a.hits.get('/') ?? 0;
      const after = await load(s, 200, 8, { host });
      expect(after.failed).toEqual([]);
      expect(after.ok.every((x) => x === 'cat-b')).toBe(true);
      expect(a.hits.get('/') ?? 0).toBe(aBefore);
      // The usual way out: deregister, then stop at once, before every worker has caught up.
      expect((await register(c.port)).code).toBe(0);
      await waitFor(async () => (await load(s, 40, 8, { host })).ok.includes('cat-c'), {
        what: 'the third instance in rotation',
        timeoutMs: 15_000,
      });
      expect((await catalog(['deregister', `cli:orders:127.0.0.1:${c.port}`])).code).toBe(0);
      await c.kill();
      const served = pool.requests();
      await waitFor(() => pool.requests() > served + 300, { what: 'traffic after the stop' });
    } finally {
      await pool.stop();
    }
    // The pool ran through both changes: every request answered.
    expect(pool.failed).toEqual([]);
    expect(pool.requests()).toBeGreaterThan(100);
    const st = await workersStatus(s);
    expect(st.workers.every((w) => w.requests > 0)).toBe(true);
  });
});

describe('lb serve --workers 2 reloads', () => {
  it('a keep-alive client pool sees zero errors across 3 SIGHUP reloads', async () => {
    const [a, b] = await Promise.all([startUpstream('ra'), startUpstream('rb')]);
    const yaml = (port: number, algorithm: string) =>
      `routes:\n  - name: web\n    algorithm: ${algorithm}\n    upstreams: ["127.0.0.1:${port}"]\n    healthCheck: { path: /health, interval: 200ms }\n`;
    const s = await serveWorkers(yaml(a.port, 'round-robin'));
    const pool = clientPool(s, 8);
    try {
      // Upstreams change, and the picker too (a new pool: the old one's connections close).
      const steps: Array<[number, string, string]> = [
        [b.port, 'least-conn', 'rb'],
        [a.port, 'round-robin', 'ra'],
        [b.port, 'p2c-ewma', 'rb'],
      ];
      for (const [i, [port, algorithm, name]] of steps.entries()) {
        const before = pool.requests();
        writeFileSync(s.file, yaml(port, algorithm));
        s.child.kill('SIGHUP');
        await waitFor(() => s.stderr().split('reloaded').length - 1 === i + 1, { what: `reload ${i + 1}` });
        await waitFor(async () => (await load(s, 20, 4)).ok.every((x) => x === name), {
          what: `every worker on ${name}`,
        });
        await waitFor(() => pool.requests() > before + 200, { what: 'traffic after the reload' });
      }
    } finally {
      await pool.stop();
    }
    expect(pool.failed).toEqual([]);
    expect(pool.requests()).toBeGreaterThan(600);
    expect(pool.byBody.get('ra')).toBeGreaterThan(0);
    expect(pool.byBody.get('rb')).toBeGreaterThan(0);
  });
});

describe('workers: in portico-lb.yaml', () => {
  it('starts that many workers without --workers, and a changed count asks for a restart on SIGHUP', async () => {
    const a = await startUpstream('w');
    const yaml = (n: number) =>
      `workers: ${n}\nroutes:\n  - name: web\n    upstreams: ["127.0.0.1:${a.port}"]\n`;
    const file = join(tempDir(), 'portico-lb.yaml');
    writeFileSync(file, yaml(2));
    const s = await startServe(['--config', file], { PORTICO_HOME: tempDir() });
    started.push(s);
    expect(s.stdout()).toMatch(/workers 2 \(pids \d+, \d+\)/);
    expect((await workersStatus(s)).workers).toHaveLength(2);
    writeFileSync(file, yaml(3));
    s.child.kill('SIGHUP');
    await waitFor(() => s.stderr().includes(`workers changed in ${file}: restart to apply`), {
      what: 'the restart warning',
    });
    expect((await workersStatus(s)).workers).toHaveLength(2);
    expect((await load(s, 50, 4)).failed).toEqual([]);
  });
});
