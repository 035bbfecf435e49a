import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/tmp.js';
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

  it('shows a watcher in this process the writes of another process', async () => {
    const path = join(dir, 'watched.db');
    const store = new SqliteStore({ path, pollMs: 20 });
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
