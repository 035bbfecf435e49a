import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reserveClusterPort } from '../../src/cluster/reservations.js';
import type { EtcdStore } from '../../src/store/etcd/etcd-store.js';
import { openStore, type Store, type StoreEvent } from '../../src/store/index.js';
import { spawnTracked, waitForOutput } from '../helpers/processes.js';
import { describeWith, timeScale } from '../helpers/requirements.js';
import { type EtcdServer, startEtcd } from '../helpers/servers/etcd.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { instance } from '../store/contract.js';

let run = 0;
const runId = `${process.pid}-${Date.now()}`;

describeWith(['etcd'], "etcd sessions: a host's instances under its lease", () => {
  let etcd: EtcdServer | undefined;
  const url = () => `etcd://${etcd!.endpoint}/s${runId}-${run++}?lease=2`;
  beforeAll(async () => {
    etcd = await startEtcd();
  }, 30_000);
  afterAll(async () => {
    await etcd?.stop();
  });

  it("removes a session's instances when it ends, keeps plain registrations, and a watcher sees it", async () => {
    const base = await openStore(url(), {}, 'shop');
    const session = await base.openSession({ host: 'a' });
    expect(session.leased).toBe(true);
    expect(session.ttlSeconds).toBe(2);
    await session.store.syncSource('manifest', [instance('leased-1'), instance('leased-2')]);
    await base.register(instance('manual'));
    const listed = await base.listInstances();
    expect(listed.map((i) => i.id).sort()).toEqual(['leased-1', 'leased-2', 'manual']);
    expect(listed.find((i) => i.id === 'leased-1')?.meta['portico.host']).toBe('a');
    const from = await base.index();
    const seen: StoreEvent[] = [];
    const stop = new AbortController();
    const watching = (async () => {
      for await (const e of base.watch(from, stop.signal)) seen.push(e);
    })();
    await session.close();
    expect((await base.listInstances()).map((i) => i.id)).toEqual(['manual']);
    await waitFor(() => seen.filter((e) => e.kind === 'instance-delete').length === 2, {
      what: 'two deletes',
    });
    stop.abort();
    await watching;
    expect(seen.map((e) => e.instanceId).sort()).toEqual(['leased-1', 'leased-2']);
    await base.close();
  });

  it("syncs only its own host's part of a source", async () => {
    const base = await openStore(url(), {}, 'shop');
    const a = await base.openSession({ host: 'a' });
    const b = await base.openSession({ host: 'b' });
    await a.store.syncSource('manifest', [instance('a-1'), instance('a-2')]);
    await b.store.syncSource('manifest', [instance('b-1')]);
    await a.store.syncSource('manifest', [instance('a-2')]);
    expect((await base.listInstances()).map((i) => i.id).sort()).toEqual(['a-2', 'b-1']);
    await Promise.all([a.close(), b.close()]);
    await base.close();
  });

  it('expires the instances of a session whose process is killed, within the TTL + 1 s', async () => {
    const u = url();
    const base = await openStore(u, {}, 'shop');
    const child = spawnTracked(process.execPath, [sessionWorker, u, 'dies']);
    await waitForOutput(child, /ready/, 20_000);
    expect(await base.getInstance('dies')).toBeDefined();
    // A watcher in this process, as the agent has: the expiry it sees moves index() too.
    const before = await base.index();
    const stop = new AbortController();
    const seen: StoreEvent[] = [];
    const watching = (async () => {
      for await (const e of base.watch(before, stop.signal)) seen.push(e);
    })();
    const killedAt = Date.now();
    child.kill('SIGKILL');
    const goneAt = await waitFor(
      async () => ((await base.getInstance('dies')) === undefined ? Date.now() : undefined),
      { what: 'expiry', timeoutMs: 15_000, intervalMs: 100 },
    );
    console.log(`lease expiry after SIGKILL: ${goneAt - killedAt} ms (TTL 2 s)`);
    expect(goneAt - killedAt).toBeLessThanOrEqual((2 + timeScale) * 1000);
    await waitFor(() => seen.some((e) => e.kind === 'instance-delete' && e.instanceId === 'dies'), {
      what: 'the expiry in the watch',
    });
    const expiry = seen.find((e) => e.instanceId === 'dies')!;
    expect(expiry).not.toHaveProperty('expired');
    // No Portico write happened: only the lease expiry can have moved the index.
    expect(await base.index()).toBe(expiry.index);
    expect(expiry.index).toBeGreaterThan(before);
    stop.abort();
    await watching;
    await base.close();
  }, 30_000);
});

describe('SQLite sessions', () => {
  it('have no lease: the session store is the store and entries stay', async () => {
    const store: Store = await openStore(`sqlite://${tempDir()}/c.db`, {}, 'shop');
    const session = await store.openSession({ host: 'a' });
    expect(session.leased).toBe(false);
    await session.store.register(instance('stays'));
    await session.close();
    expect((await store.listInstances()).map((i) => i.id)).toEqual(['stays']);
    await store.close();
  });
});

const sessionWorker = fileURLToPath(new URL('./session-worker.mjs', import.meta.url));
const worker = fileURLToPath(new URL('./reserve-worker.mjs', import.meta.url));
function runWorker(args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out) as Record<string, number>);
      else reject(new Error(`worker exited ${code}: ${out}`));
    });
  });
}

describeWith(['etcd'], 'cluster-wide port reservations', () => {
  let etcd: EtcdServer | undefined;
  beforeAll(async () => {
    etcd = await startEtcd();
  }, 30_000);
  afterAll(async () => {
    await etcd?.stop();
  });

  it('gives a name one port and a port one name when 6 processes race', async () => {
    const u = `etcd://${etcd!.endpoint}/r${runId}`;
    const results = await Promise.all(Array.from({ length: 6 }, (_, w) => runWorker([u, String(w)])));
    const byName = new Map<string, Set<number>>();
    for (const r of results)
      for (const [name, port] of Object.entries(r))
        byName.set(name, (byName.get(name) ?? new Set()).add(port));
    for (const [name, ports] of byName) expect(ports.size, name).toBe(1);
    const ports = [...byName.values()].map((s) => [...s][0]!);
    expect(new Set(ports).size).toBe(ports.length);
    expect(byName.size).toBe(10 + 6 * 5);
    const store = (await openStore(u, {})) as EtcdStore;
    expect(await reserveClusterPort(store, 'shared-0', { owner: 't' })).toMatchObject({
      port: [...byName.get('shared-0')!][0],
      created: false,
    });
    await store.close();
  }, 90_000);
});
