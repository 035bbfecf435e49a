import { execFileSync, spawn } from 'node:child_process';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdStore } from '../../src/store/etcd/etcd-store.js';
import { parseEtcdLocation } from '../../src/store/etcd/options.js';
import { watchChanges } from '../../src/store/etcd/watch.js';
import { openStore } from '../../src/store/index.js';
import type { Store, StoreEvent } from '../../src/store/store.js';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { describeWith } from '../helpers/requirements.js';
import { type EtcdServer, startEtcd } from '../helpers/servers/etcd.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { instance, storeContract } from './contract.js';

let etcd: EtcdServer | undefined;
let n = 0;
const runId = `${process.pid}-${Date.now()}`;
/** Every store gets its own key prefix in the one etcd: a fresh, empty catalog. */
const freshUrl = () => `etcd://${etcd!.endpoint}/t${runId}-${n++}`;

const worker = fileURLToPath(new URL('./etcd-worker.mjs', import.meta.url));
function runWorker(args: string[]): Promise<string> {
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
      code === 0 ? resolve(out) : reject(new Error(`worker exited ${code}: ${out}`));
    });
  });
}

describeWith(['etcd', 'etcdctl'], 'etcd store', () => {
  beforeAll(async () => {
    etcd = await startEtcd();
  }, 20_000);
  afterAll(async () => {
    await etcd?.stop();
  });

  storeContract('etcd', async () => await openStore(freshUrl(), {}));

  describe('etcd specifics', () => {
    it('uses etcd revisions as the change index: > 0 after a write, shared by projects, growing', async () => {
      const s = await openStore(freshUrl(), {});
      await s.register(instance('a'));
      const first = await s.index();
      expect(first).toBeGreaterThan(0);
      await s.inProject('other').register(instance('b'));
      const second = await s.index();
      expect(second).toBeGreaterThan(first);
      // A write that changes nothing (same status) does not move the index.
      await s.putCheckState({ instanceId: 'a', checkId: 'http', status: 'passing', output: '', since: 1 });
      const third = await s.index();
      await s.putCheckState({
        instanceId: 'a',
        checkId: 'http',
        status: 'passing',
        output: 'again',
        since: 1,
      });
      expect(await s.index()).toBe(third);
      await s.close();
    });

    it('keeps instance ids with slashes apart (keys are encoded)', async () => {
      const s = await openStore(freshUrl(), {});
      await s.register(instance('compose:shop/web:8080'));
      await s.register(instance('compose:shop'));
      await s.putCheckState({
        instanceId: 'compose:shop/web:8080',
        checkId: 'http',
        status: 'passing',
        output: '',
        since: 1,
      });
      expect(await s.checkStates('compose:shop')).toEqual([]);
      expect(await s.deregister('compose:shop')).toBe(true);
      expect((await s.listInstances()).map((i) => i.id)).toEqual(['compose:shop/web:8080']);
      expect(await s.checkStates('compose:shop/web:8080')).toHaveLength(1);
      await s.close();
    });

    it('bounds the status history per check, dropping the oldest changes', async () => {
      const location = parseEtcdLocation(freshUrl().slice('etcd://'.length), {});
      const s = await EtcdStore.open({ location, keepHistoryPerCheck: 3 });
      await s.register(instance('flappy'));
      for (let i = 1; i <= 6; i++) {
        const status = i % 2 === 0 ? 'critical' : 'passing';
        await s.putCheckState({ instanceId: 'flappy', checkId: 'http', status, output: '', since: i * 1000 });
      }
      expect((await s.history('flappy', 0)).map((h) => h.at)).toEqual([4000, 5000, 6000]);
      await s.close();
    });

    it('syncs more instances than one etcd transaction may hold', async () => {
      const s = await openStore(freshUrl(), {});
      const many = Array.from({ length: 300 }, (_, i) =>
        instance(`m${i}`, { source: 'bulk', port: 20000 + i }),
      );
      const first = await s.syncSource('bulk', many);
      expect(first.added).toHaveLength(300);
      const second = await s.syncSource('bulk', many.slice(0, 10));
      expect(second.removed).toHaveLength(290);
      expect(await s.listInstances({ source: 'bulk' })).toHaveLength(10);
      await s.close();
    });

    it('a large catalog read again sees every change since: writes, deletes, etcd-side deletes', async () => {
      const url = freshUrl();
      const s = await openStore(url, {});
      const other = await openStore(url, {});
      // Above the size from which the store reads only what changed since its last read.
      const many = Array.from({ length: 600 }, (_, i) =>
        instance(`m${i}`, { source: 'bulk', port: 20000 + i }),
      );
      await s.syncSource('bulk', many);
      const ports = async () => new Map((await s.listInstances()).map((i) => [i.id, i.port]));
      expect((await ports()).size).toBe(600);
      // Unchanged: the same answer.
      expect((await ports()).size).toBe(600);
      // Written, nothing deleted: read from what changed (and a count).
      await other.register(instance('m0', { source: 'bulk', port: 5999 }));
      await other.register(instance('extra', { port: 6999 }));
      const written = await ports();
      expect([written.size, written.get('m0'), written.get('extra'), written.get('m5')]).toEqual([
        601, 5999, 6999, 20005,
      ]);
      await other.deregister('extra');
      await other.register(instance('new-one', { port: 3999 }));
      await other.deregister('m1');
      await other.register(instance('m2', { source: 'bulk', port: 4999 }));
      // A delete etcd makes itself (a lease expiring): no Portico write, no change record.
      const client = new Etcd3({ hosts: `http://${etcd!.endpoint}` });
      const root = `${url.slice(url.lastIndexOf('/'))}/v1/`; // this store's keys: <prefix>/v1/…
      const key = Object.keys(await client.getAll().prefix(root).strings()).find((k) =>
        k.endsWith('/instances/m3'),
      );
      expect(key).toBeDefined();
      await client.delete().key(key!);
      client.close();
      const after = await ports();
      expect(after.size).toBe(600 + 1 - 1 - 1);
      expect(after.get('new-one')).toBe(3999);
      expect(after.get('m2')).toBe(4999);
      expect(after.has('m1')).toBe(false);
      expect(after.has('m3')).toBe(false);
      expect(after.get('m599')).toBe(20599);
      // The same catalog a fresh handle reads whole.
      const fresh = await openStore(url, {});
      expect(new Map((await fresh.listInstances()).map((i) => [i.id, i.port]))).toEqual(after);
      // A sync on the kept catalog still guards each key by its current revision.
      const second = await s.syncSource('bulk', many.slice(0, 10));
      // 598 bulk instances left (m1 and m3 gone); the 8 of them among the 10 wanted stay.
      expect(second.removed.length).toBe(598 - 8);
      expect(second.added.sort()).toEqual(['m1', 'm3']);
      expect((await fresh.listInstances({ source: 'bulk' })).length).toBe(10);
      await Promise.all([s.close(), other.close(), fresh.close()]);
    }, 30_000);

    it('replays changes from an old index and resumes a watch after etcd restarts', async () => {
      const url = freshUrl();
      const s = await openStore(url, {});
      const from = await s.index();
      await s.register(instance('before-1'));
      const controller = new AbortController();
      const seen: StoreEvent[] = [];
      const watching = (async () => {
        for await (const e of s.watch(from, controller.signal)) {
          seen.push(e);
          if (seen.length === 2) break;
        }
      })();
      await waitFor(() => seen.length === 1, { what: 'replayed event' });
      await etcd!.pause();
      await etcd!.resume();
      const writer = await openStore(url, {});
      await writer.register(instance('after-restart'));
      await writer.close();
      const guard = setTimeout(() => controller.abort(), 20_000);
      await watching;
      clearTimeout(guard);
      expect(seen.map((e) => e.instanceId)).toEqual(['before-1', 'after-restart']);
      expect(seen[1]!.index).toBeGreaterThan(seen[0]!.index);
      await s.close();
    }, 40_000);

    it('holds about maxQueued events for a consumer that is behind, then replays the rest: none lost or repeated', async () => {
      const client = new Etcd3({ hosts: `http://${etcd!.endpoint}` });
      const prefix = `backlog-${runId}`;
      const keys = { changes: `${prefix}/changes`, instances: `${prefix}/instances/` };
      const put = (k: number) =>
        client
          .put(keys.changes)
          .value(
            JSON.stringify({ at: Date.now(), events: [{ kind: 'instance-upsert', instanceId: `i${k}` }] }),
          );
      const start = Number((await client.get(keys.changes).exec()).header.revision);
      const controller = new AbortController();
      let backlogs = 0;
      const events = watchChanges(client, keys, start, controller.signal, {
        maxQueued: 20,
        onBacklog: () => backlogs++,
      })[Symbol.asyncIterator]();
      try {
        await put(0);
        expect((await events.next()).value?.instanceId).toBe('i0');
        // The consumer stops taking events while 99 more transactions are written, one by one.
        for (let k = 1; k < 100; k++) await put(k);
        await waitFor(() => backlogs > 0, { what: 'the watch to stop for the consumer' });
        const ids: string[] = [];
        const indexes: number[] = [];
        while (ids.length < 99) {
          const next = await events.next();
          ids.push(next.value!.instanceId);
          indexes.push(next.value!.index);
        }
        expect(ids).toEqual(Array.from({ length: 99 }, (_, k) => `i${k + 1}`));
        expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
      } finally {
        controller.abort();
        await events.return?.(undefined);
        client.close();
      }
    }, 30_000);

    it('serves every command through the built CLI with PORTICO_STORE=etcd://…', async () => {
      const url = freshUrl();
      const home = tempDir();
      const env = { PORTICO_STORE: url, PORTICO_HOME: home };
      const reg = await runPortico(['discovery', 'register', 'auth', '--port', '3001', '--check', 'tcp'], {
        env,
        cwd: home,
      });
      expect(reg.code, reg.stderr).toBe(0);
      const list = await runPortico(['discovery', 'list', '--json'], { env, cwd: home });
      expect(list.code, list.stderr).toBe(0);
      const listed = list.json<{ index: number; instances: Array<{ id: string }> }>();
      expect(listed.instances.map((i) => i.id)).toEqual(['cli:auth:127.0.0.1:3001']);
      expect(listed.index).toBeGreaterThan(0);
      // The same catalog, read through the library from another process's point of view.
      const s = await openStore(url, {});
      expect((await s.listInstances()).map((i) => i.port)).toEqual([3001]);
      await s.close();
    }, 30_000);

    // Its own etcd: compaction is cluster-wide and would cut the other tests' histories.
    it('continues a watch from now when etcd has compacted the revisions asked for', async () => {
      const own = await startEtcd();
      try {
        const s = await openStore(`etcd://${own.endpoint}`, {});
        await s.register(instance('old-1'));
        await s.register(instance('old-2'));
        const compactAt = await s.index();
        execFileSync('etcdctl', ['--endpoints', own.endpoint, 'compact', String(compactAt)], {
          env: { ...process.env, ETCDCTL_API: '3' },
          stdio: 'pipe',
          timeout: 10_000,
        });
        const controller = new AbortController();
        const guard = setTimeout(() => controller.abort(), 15_000);
        const seen: string[] = [];
        const watching = (async () => {
          for await (const e of s.watch(0, controller.signal)) {
            seen.push(e.instanceId);
            if (e.instanceId === 'new-1') break;
          }
        })();
        // Keep writing until the watcher, past the refused start, sees a new write.
        await waitFor(
          async () => {
            await s.register(instance('new-1'));
            return seen.includes('new-1');
          },
          { what: 'watch past compaction', intervalMs: 200, timeoutMs: 10_000 },
        );
        await watching;
        clearTimeout(guard);
        expect(seen).not.toContain('old-1');
        await s.close();
      } finally {
        await own.stop();
      }
    }, 30_000);

    it('loses and duplicates nothing when several processes write at once', async () => {
      const url = freshUrl();
      const workers = 4;
      const each = 40;
      const outs = await Promise.all(
        Array.from({ length: workers }, (_, w) => runWorker([url, `p${w}`, String(each)])),
      );
      expect(outs.every((o) => o.includes('done'))).toBe(true);
      const s: Store = await openStore(url, {});
      const ids = (await s.listInstances({ source: 'cli' })).map((i) => i.id);
      expect(ids).toHaveLength(workers * each);
      expect(new Set(ids).size).toBe(workers * each);
      // The shared source holds common-1 plus the last writer's own instance: syncs replace, never merge.
      const shared = (await s.listInstances({ source: 'shared' })).map((i) => i.id);
      expect(shared).toContain('common-1');
      expect(shared).toHaveLength(2);
      // The change log has exactly one upsert per registration, in index order.
      const controller = new AbortController();
      const guard = setTimeout(() => controller.abort(), 10_000);
      const upserts: string[] = [];
      let last = 0;
      let ordered = true;
      for await (const e of s.watch(0, controller.signal)) {
        ordered &&= e.index >= last;
        last = e.index;
        if (e.kind === 'instance-upsert' && e.instanceId.startsWith('p')) upserts.push(e.instanceId);
        if (e.index >= (await s.index())) break;
      }
      clearTimeout(guard);
      expect(ordered).toBe(true);
      expect(upserts.sort()).toEqual([...ids].sort());
      await s.close();
    }, 90_000);
  });
});

describeWith(['etcd', 'etcdctl'], 'etcd store with authentication', () => {
  let secured: EtcdServer | undefined;
  beforeAll(async () => {
    secured = await startEtcd();
    const ctl = (...args: string[]) =>
      execFileSync('etcdctl', ['--endpoints', secured!.endpoint, ...args], {
        env: { ...process.env, ETCDCTL_API: '3' },
        stdio: 'pipe',
        timeout: 10_000,
      });
    ctl('user', 'add', 'root:root-secret');
    ctl('auth', 'enable');
  }, 30_000);
  afterAll(async () => {
    await secured?.stop();
  });

  it('writes with the right password and fails with E_STORE_UNAVAILABLE and a credentials hint otherwise', async () => {
    const url = `etcd://${secured!.endpoint}?user=root`;
    const good = await openStore(url, { PORTICO_ETCD_PASSWORD: 'root-secret' });
    await good.register(instance('authed'));
    expect((await good.listInstances()).map((i) => i.id)).toEqual(['authed']);
    await good.close();
    await expect(openStore(url, { PORTICO_ETCD_PASSWORD: 'wrong' })).rejects.toMatchObject({
      code: 'E_STORE_UNAVAILABLE',
      hint: expect.stringContaining('PORTICO_ETCD_PASSWORD'),
    });
    // Without credentials at all, etcd refuses the request.
    await expect(openStore(`etcd://${secured!.endpoint}`, {})).rejects.toMatchObject({
      code: 'E_STORE_UNAVAILABLE',
    });
  });
});

describeWith(['etcd', 'openssl'], 'etcd store over TLS with a client certificate', () => {
  let secure: EtcdServer | undefined;
  beforeAll(async () => {
    secure = await startEtcd({ tls: true });
  }, 60_000);
  afterAll(async () => {
    await secure?.stop();
  });

  it('connects with ca=, cert=, key= and fails with E_STORE_UNAVAILABLE without the client certificate', async () => {
    const { caFile, certFile, keyFile } = secure!.tls!;
    const s = await openStore(`etcd://${secure!.endpoint}?ca=${caFile}&cert=${certFile}&key=${keyFile}`, {});
    await s.register(instance('over-tls'));
    expect((await s.listInstances()).map((i) => i.id)).toEqual(['over-tls']);
    await s.close();
    // The same from the environment.
    const fromEnv = await openStore(`etcd://${secure!.endpoint}`, {
      PORTICO_ETCD_CA: caFile,
      PORTICO_ETCD_CERT: certFile,
      PORTICO_ETCD_KEY: keyFile,
    });
    expect(await fromEnv.listInstances()).toHaveLength(1);
    await fromEnv.close();
    await expect(openStore(`etcd://${secure!.endpoint}?ca=${caFile}`, {})).rejects.toMatchObject({
      code: 'E_STORE_UNAVAILABLE',
    });
  }, 30_000);
});

describe('etcd store unreachable', () => {
  it('fails a one-shot command with E_STORE_UNAVAILABLE and exit 2', async () => {
    const closed = await freePort();
    const r = await runPortico(['discovery', 'list', '--json', '--store', `etcd://127.0.0.1:${closed}`], {
      timeoutMs: 15_000,
    });
    expect(r.code).toBe(2);
    expect(r.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'E_STORE_UNAVAILABLE',
      message: expect.stringContaining(`127.0.0.1:${closed}`),
    });
  }, 20_000);

  it('gives up on an endpoint that accepts connections but never answers, with E_STORE_UNAVAILABLE', async () => {
    const held: Socket[] = [];
    const silent = createServer((socket) => {
      held.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const r = await runPortico(
        ['discovery', 'list', '--json', '--store', `etcd://127.0.0.1:${port}?timeout=1000`],
        {
          timeoutMs: 15_000,
        },
      );
      expect(r.code).toBe(2);
      expect(r.json<{ error: { code: string } }>().error.code).toBe('E_STORE_UNAVAILABLE');
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 20_000);

  it('refuses a malformed etcd location with E_STORE_URL', async () => {
    await expect(openStore('etcd://', {})).rejects.toMatchObject({ code: 'E_STORE_URL' });
    await expect(openStore('etcd://host-without-port', {})).rejects.toMatchObject({ code: 'E_STORE_URL' });
    await expect(openStore('etcd://127.0.0.1:2379?user=alice', {})).rejects.toMatchObject({
      code: 'E_STORE_URL',
    });
  });
});
