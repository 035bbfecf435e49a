import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/core/sqlite.js';
import { openStore } from '../../src/store/index.js';
import { catalogMigrations } from '../../src/store/sqlite/schema.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { StoreEvent } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { instance, storeContract } from './contract.js';

const dir = tempDir();
let n = 0;
storeContract('sqlite', async () => new SqliteStore({ path: join(dir, `c${n++}.db`) }));

const worker = fileURLToPath(new URL('./sqlite-worker.mjs', import.meta.url));
function runWorker(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.once('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`worker exited ${code}: ${out}`)),
    );
  });
}

describe('sqlite store across processes', () => {
  it('loses nothing when two processes write at the same time', async () => {
    const path = join(dir, 'shared.db');
    await Promise.all([runWorker([path, 'write', 'p1', '150']), runWorker([path, 'write', 'p2', '150'])]);
    const store = new SqliteStore({ path });
    expect((await store.listInstances()).length).toBe(300);
    expect(await store.index()).toBe(300);
    await store.close();
  });

  it('shows a watcher in this process the writes of another process, without waiting for the safety poll', async () => {
    const path = join(dir, 'watched.db');
    // A safety poll longer than the test's timeout: only the file watch can deliver these.
    const store = new SqliteStore({ path, pollMs: 600_000 });
    const from = await store.index();
    const controller = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const e of store.watch(from, controller.signal)) {
        seen.push(e.instanceId);
        if (seen.length === 5) controller.abort();
      }
    })();
    await runWorker([path, 'write', 'remote', '5']);
    await watching;
    expect(seen).toEqual(['remote-0', 'remote-1', 'remote-2', 'remote-3', 'remote-4']);
    await store.close();
  });

  it('delivers a burst from this process and another one, every event once and in order', async () => {
    const path = join(dir, 'burst.db');
    const store = new SqliteStore({ path, pollMs: 600_000 });
    const from = await store.index();
    const controller = new AbortController();
    const seen: StoreEvent[] = [];
    const watching = (async () => {
      for await (const e of store.watch(from, controller.signal)) {
        seen.push(e);
        if (seen.length === 400) controller.abort();
      }
    })();
    const remote = runWorker([path, 'write', 'remote', '200']);
    // Through a view sharing the handle, as the agent's cluster views write.
    const view = store.inProject('default');
    for (let i = 0; i < 200; i++) await view.register(instance(`local-${i}`));
    await remote;
    await watching;
    expect(seen.map((e) => e.index)).toEqual([...Array(400).keys()].map((i) => from + i + 1));
    expect(new Set(seen.map((e) => e.instanceId)).size).toBe(400);
    await store.close();
  });

  it("wakes a view's watcher on a write through another view of the same handle", async () => {
    const store = new SqliteStore({ path: join(dir, 'views.db'), pollMs: 600_000 });
    const reader = store.inProject('shop');
    const writer = store.inProject('shop');
    const controller = new AbortController();
    const watching = (async () => {
      for await (const e of reader.watch(await reader.index(), controller.signal)) {
        controller.abort();
        return e.instanceId;
      }
    })();
    await store.inProject('blog').register(instance('elsewhere'));
    await writer.register(instance('mine'));
    expect(await watching).toBe('mine');
    await store.close();
  });

  it('ends a watch on abort and leaves no file watch or timer behind', async () => {
    const store = new SqliteStore({ path: join(dir, 'abort.db'), pollMs: 600_000 });
    const handles = (): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const h of process.getActiveResourcesInfo()) counts[h] = (counts[h] ?? 0) + 1;
      return counts;
    };
    const before = handles();
    const controller = new AbortController();
    const watching = (async () => {
      const seen: string[] = [];
      for await (const e of store.watch(await store.index(), controller.signal)) seen.push(e.instanceId);
      return seen;
    })();
    await store.register(instance('a'));
    await waitFor(() => (handles().FSEventWrap ?? 0) > (before.FSEventWrap ?? 0));
    controller.abort();
    expect(await watching).toEqual(['a']);
    // The safety poll's timer goes at once; a closed file watch leaves the loop on its next turn
    // (one closed by an earlier test may still be counted in `before`).
    expect(handles().Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
    await waitFor(() => (handles().FSEventWrap ?? 0) <= (before.FSEventWrap ?? 0));
    // A loop left by `break` lets go of its watch too.
    for await (const _e of store.watch(0, new AbortController().signal)) break;
    expect(handles().Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
    await waitFor(() => (handles().FSEventWrap ?? 0) <= (before.FSEventWrap ?? 0));
    await store.close();
  });

  it('ends a watch when its store is closed', async () => {
    const store = new SqliteStore({ path: join(dir, 'closed.db'), pollMs: 600_000 });
    const watching = (async () => {
      for await (const _e of store.watch(await store.index(), new AbortController().signal)) {
      }
      return 'ended';
    })();
    await store.register(instance('a'));
    await store.close();
    expect(await watching).toBe('ended');
  });

  it('lists what another handle wrote, changed and removed since its last list (the kept list is patched, not stale)', async () => {
    const path = join(dir, 'cached.db');
    const reader = new SqliteStore({ path });
    const writer = new SqliteStore({ path });
    const fresh = async (): Promise<unknown> => {
      const other = new SqliteStore({ path });
      const list = await other.listInstances();
      await other.close();
      return list;
    };
    await writer.register(instance('b', { service: 'zeta' }));
    await writer.register(instance('a', { service: 'alpha' }));
    expect((await reader.listInstances()).map((i) => i.id)).toEqual(['a', 'b']);
    await writer.register(instance('c', { service: 'alpha', port: 9 }));
    await writer.register(instance('b', { service: 'alpha', tags: ['moved'] }));
    await writer.deregister('a');
    await writer.inProject('other').register(instance('x'));
    expect(await reader.listInstances()).toEqual(await fresh());
    expect((await reader.listInstances()).map((i) => [i.id, i.service])).toEqual([
      ['b', 'alpha'],
      ['c', 'alpha'],
    ]);
    // A caller changing the array it got leaves the next caller's list alone.
    (await reader.listInstances()).pop();
    expect((await reader.listInstances()).map((i) => i.id)).toEqual(['b', 'c']);
    // Writes through the reader's own handle, and a sync that replaces a source's set.
    await reader.syncSource('cli', [instance('d', { source: 'cli' })]);
    expect(await reader.listInstances()).toEqual(await fresh());
    await writer.close();
    await reader.close();
  });

  it('opens by URL and by path, and refuses unknown schemes', async () => {
    const a = await openStore(`sqlite://${join(dir, 'url.db')}`);
    await a.register(instance('x'));
    await a.close();
    const b = await openStore(join(dir, 'url.db'));
    expect((await b.listInstances()).map((i) => i.id)).toEqual(['x']);
    await b.close();
    await expect(openStore('etcdx://127.0.0.1:2379')).rejects.toMatchObject({ code: 'E_STORE_URL' });
  });
});

describe('sqlite store migration to per-project catalogs', () => {
  it('moves a single-catalog database into projects: compose instances to their project, the rest to "default"', async () => {
    const path = join(dir, 'v1.db');
    const v1 = openDatabase(path, catalogMigrations.slice(0, 1));
    const insert = v1.prepare(
      `INSERT INTO instances (id, service, address, port, protocol, tags, meta, source, checks, modify_index)
       VALUES (?, ?, '127.0.0.1', ?, 'tcp', '[]', ?, ?, '[]', 1)`,
    );
    insert.run('compose:shop/web:8080', 'web', 8080, JSON.stringify({ compose_project: 'shop' }), 'compose');
    insert.run('cli:job:127.0.0.1:9000', 'job', 9000, '{}', 'cli');
    v1.prepare(
      `INSERT INTO check_states (instance_id, check_id, status, output, since) VALUES ('compose:shop/web:8080', 'tcp', 'passing', '', 1)`,
    ).run();
    v1.prepare(
      `INSERT INTO ttl_reports (instance_id, check_id, status, output, at) VALUES ('cli:job:127.0.0.1:9000', 'ttl', 'passing', 'ok', 2)`,
    ).run();
    v1.close();

    const store = new SqliteStore({ path });
    expect(await store.listProjects()).toEqual(['default', 'shop']);
    expect((await store.listInstances()).map((i) => i.id)).toEqual(['cli:job:127.0.0.1:9000']);
    expect((await store.ttlReports()).map((t) => t.output)).toEqual(['ok']);
    const shop = store.inProject('shop');
    expect((await shop.listInstances()).map((i) => i.id)).toEqual(['compose:shop/web:8080']);
    expect((await shop.checkStates()).map((c) => c.status)).toEqual(['passing']);
    await store.close();
  });
});
