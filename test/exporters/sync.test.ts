import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Instance } from '../../src/core/model.js';
import { exporters, type TargetName } from '../../src/exporters/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { spawnTracked, stopProcess } from '../helpers/processes.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { trackDaemons } from './gateways.js';

const project = 'sync-test';
const host = 'shop.localhost';

const instance = (u: TestUpstream, weight = 1): Instance => ({
  id: `shop-${u.port}`,
  service: 'shop',
  address: '127.0.0.1',
  port: u.port,
  protocol: 'http',
  tags: [],
  meta: { weight: String(weight) },
  source: 'cli',
  checks: [],
});

/**
 * GETs to shop.localhost: which upstream answered, and every failure. `reloads`: the gateway is
 * reloaded meanwhile (nginx, Caddy), so each GET goes on a new connection, and one reset before
 * any response is retried once, as a client may for an idempotent request (RFC 9112 §9.3.1):
 * a reloading Caddy can reset a connection it accepted just before its old server stopped.
 * The runtime API never reloads: there, keep-alive and no retry.
 */
async function shares(port: number, n: number, reloads = false) {
  const seen = new Map<string, number>();
  const errors: string[] = [];
  let retried = 0;
  const get = async () => {
    const r = await request(`http://127.0.0.1:${port}/`, {
      headers: { host },
      reset: reloads,
      headersTimeout: 5000,
      bodyTimeout: 5000,
    });
    return { status: r.statusCode, body: await r.body.text() };
  };
  for (let i = 0; i < n; i++) {
    try {
      let r: { status: number; body: string };
      try {
        r = await get();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (!reloads || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw error;
        retried++;
        r = await get();
      }
      if (r.status === 200) seen.set(r.body, (seen.get(r.body) ?? 0) + 1);
      else errors.push(`${r.status} ${r.body.slice(0, 60)}`);
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  return { seen, errors, retried };
}

describeWith(['haproxy'], 'lb sync --target haproxy through the runtime API', () => {
  let dir: string;
  let store: Store;
  let port: number;
  let args: string[];
  const env = () => ({ PORTICO_HOME: join(dir, 'home') });
  const ups: TestUpstream[] = [];
  beforeAll(async () => {
    dir = tempDir('portico-sync-');
    trackDaemons('haproxy', join(dir, 'haproxy-run'));
    const db = join(dir, 'catalog.db');
    store = await openStore(`sqlite://${db}`, {}, project);
    port = await freePort();
    ups.push(...(await Promise.all(['a', 'b', 'c'].map((n) => startUpstream(`shop-${n}`)))));
    args = [
      '--project',
      project,
      'lb',
      'sync',
      '--target',
      'haproxy',
      '--to',
      join(dir, 'haproxy.cfg'),
      '--from-catalog',
      '--store',
      `sqlite://${db}`,
      '--listen',
      `127.0.0.1:${port}`,
    ];
  });
  afterAll(async () => {
    await store.close();
  });

  it('starts HAProxy once, then adds, reweights and removes servers live; the file follows', async () => {
    const [a, b, c] = ups as [TestUpstream, TestUpstream, TestUpstream];
    await store.register(instance(a));
    const first = await runPortico([...args, '--json'], { cwd: dir, env: env() });
    expect(first.json()).toMatchObject({ status: 'deployed', via: 'deploy', action: 'start' });
    const pids = exporters.haproxy.running(join(dir, 'haproxy-run'));
    expect((await shares(port, 10)).seen.get(a.name)).toBe(10);

    await store.register(instance(b, 3));
    const socket = join(dir, 'haproxy-run', 'haproxy.sock');
    const added = await runPortico([...args, '--runtime-api', socket, '--json'], { cwd: dir, env: env() });
    expect(added.json()).toMatchObject({
      status: 'synced',
      via: 'runtime-api',
      changes: [{ action: 'add', address: `127.0.0.1:${b.port}` }],
    });
    // No reload: the same HAProxy process serves, now over both servers by weight (1:3).
    expect(exporters.haproxy.running(join(dir, 'haproxy-run'))).toEqual(pids);
    const both = await shares(port, 200);
    expect(both.errors).toEqual([]);
    expect(Math.abs((both.seen.get(b.name) ?? 0) / 200 - 0.75)).toBeLessThanOrEqual(0.05);
    const file = readFileSync(join(dir, 'haproxy.cfg'), 'utf8');
    expect(file).toContain(`127.0.0.1:${b.port} weight 3 check`);
    expect(readdirSync(dir).some((f) => f.includes('.portico-bak-'))).toBe(true);

    await store.register(instance(c));
    await store.deregister(instance(a).id);
    const moved = await runPortico([...args, '--json'], { cwd: dir, env: env() });
    const changes = moved.json<{ changes: Array<{ action: string; address: string }> }>().changes;
    expect(changes.map((x) => `${x.action} ${x.address}`).sort()).toEqual(
      [`add 127.0.0.1:${c.port}`, `remove 127.0.0.1:${a.port}`].sort(),
    );
    const after = await shares(port, 40);
    expect(after.errors).toEqual([]);
    expect(after.seen.has(a.name)).toBe(false);
    expect(after.seen.has(c.name)).toBe(true);

    // The rewritten file holds the same servers: a reload keeps what the runtime API did.
    expect(
      await exporters.haproxy.validate(join(dir, 'haproxy.cfg'), join(dir, 'haproxy-run')),
    ).toBeUndefined();
    await exporters.haproxy.apply(join(dir, 'haproxy.cfg'), join(dir, 'haproxy-run'));
    await waitFor(() => exporters.haproxy.running(join(dir, 'haproxy-run')).every((p) => !pids.includes(p)), {
      what: 'the reloaded HAProxy to replace the old one',
    });
    const reloaded = await shares(port, 40);
    expect(reloaded.errors).toEqual([]);
    expect([...reloaded.seen.keys()].sort()).toEqual([b.name, c.name].sort());

    const again = await runPortico([...args, '--json'], { cwd: dir, env: env() });
    expect(again.json()).toMatchObject({ status: 'unchanged', via: 'runtime-api', changes: [] });
  });

  it('refuses --runtime-api for another target, and a socket that does not answer', async () => {
    const caddy = await runPortico(
      [
        'lb',
        'sync',
        '--target',
        'caddy',
        '--to',
        join(dir, 'Caddyfile'),
        '--runtime-api',
        '/nowhere',
        '--upstream',
        '127.0.0.1:1',
      ],
      { cwd: dir, env: env() },
    );
    expect(caddy.code).toBe(2);
    expect(caddy.stderr).toContain('--runtime-api is HAProxy only');
    const wrong = await runPortico([...args, '--runtime-api', join(dir, 'no.sock')], {
      cwd: dir,
      env: env(),
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('[E_LB_RUNTIME_API]');
  });
});

/** How each target follows: HAProxy live, Caddy through its admin API, nginx by a reload. */
const watchTargets: Array<[TargetName, string]> = [
  ['haproxy', 'runtime-api'],
  ['caddy', 'deploy'],
  ['nginx', 'deploy'],
];

for (const [target, via] of watchTargets)
  describeWith(
    [target],
    `lb sync --watch --target ${target}: traffic follows the catalog with zero client errors`,
    () => {
      it('instances come and go (4 rounds); every GET is answered', async () => {
        const dir = tempDir('portico-sync-watch-');
        trackDaemons(target, join(dir, `${target}-run`));
        const db = join(dir, 'catalog.db');
        const store = await openStore(`sqlite://${db}`, {}, project);
        const port = await freePort();
        let current = await startUpstream('shop-0');
        await store.register(instance(current));
        const watcher = spawnTracked(
          process.execPath,
          [
            join(import.meta.dirname, '../../dist/cli/main.js'),
            '--project',
            project,
            'lb',
            'sync',
            '--target',
            target,
            '--to',
            join(dir, exporters[target].defaultFile),
            '--from-catalog',
            '--store',
            `sqlite://${db}`,
            '--listen',
            `127.0.0.1:${port}`,
            '--admin',
            `127.0.0.1:${await freePort()}`,
            // nginx's default (1 s, reloads are its most expensive change) would only slow the test.
            '--debounce',
            '100ms',
            '--watch',
            '--json',
          ],
          { cwd: dir, env: { ...process.env, PORTICO_HOME: join(dir, 'home') } },
        );
        const passes: Array<{ status: string; via: string }> = [];
        let debug = (): string => '';
        let stderr = '';
        watcher.stderr?.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        let buffer = '';
        watcher.stdout?.on('data', (d: Buffer) => {
          buffer += d.toString();
          for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
            passes.push(JSON.parse(buffer.slice(0, i)));
            buffer = buffer.slice(i + 1);
          }
        });
        try {
          await waitFor(() => passes.some((p) => p.status === 'deployed'), {
            what: 'the first pass to start HAProxy',
            timeoutMs: 20_000,
          });
          // A steady stream of GETs (bounded: 60 s or 20 000 requests) while instances change.
          const errors: string[] = [];
          const seen = new Map<string, number>();
          /** Request number at which each upstream last answered. */
          const lastAt = new Map<string, number>();
          let total = 0;
          let retried = 0;
          let stop = false;
          debug = () =>
            JSON.stringify({ total, lastAt: [...lastAt], seen: [...seen], errors: errors.slice(0, 5) });
          const deadline = Date.now() + 60_000;
          const stream = (async () => {
            for (let i = 0; i < 20_000 && !stop && Date.now() < deadline; i++) {
              const r = await shares(port, 1, via !== 'runtime-api');
              total++;
              retried += r.retried;
              errors.push(...r.errors);
              for (const [k, v] of r.seen) {
                seen.set(k, (seen.get(k) ?? 0) + v);
                lastAt.set(k, total);
              }
            }
          })();
          for (let round = 1; round <= 4; round++) {
            const next = await startUpstream(`shop-${round}`);
            await store.register(instance(next));
            await waitFor(() => (seen.get(next.name) ?? 0) > 0, {
              what: `traffic to reach ${next.name}`,
              timeoutMs: 15_000,
            });
            await store.deregister(instance(current).id);
            // Out of rotation: a run of 20 answers with none from it.
            const gone = current.name;
            await waitFor(() => total - (lastAt.get(gone) ?? 0) > 20, {
              what: `${gone} to leave the rotation`,
              timeoutMs: 15_000,
            });
            await current.kill();
            current = next;
          }
          stop = true;
          await stream;
          expect(errors, stderr).toEqual([]);
          // Only a reloading gateway may reset a fresh connection (once, then it answers).
          if (via === 'runtime-api') expect(retried).toBe(0);
          if (retried > 0) console.log(`${target}: ${retried} of ${total} GETs retried once after a reset`);
          expect(
            passes.filter((p) => p.via === via && p.status !== 'unchanged').length,
          ).toBeGreaterThanOrEqual(4);
        } catch (error) {
          throw new Error(
            `${(error as Error).message}\npasses: ${JSON.stringify(passes.map((p) => [p.status, p.via, (p as { changes?: unknown }).changes]))}\nstderr: ${stderr}\nstate: ${debug()}`,
          );
        } finally {
          await stopProcess(watcher);
          await store.close();
        }
      });
    },
  );
