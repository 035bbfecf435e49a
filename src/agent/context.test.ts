import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Instance } from '../core/model.js';
import { openStore, type Store } from '../store/index.js';
import { invalidateCatalog, readCatalog, readSnapshot } from './context.js';

let dir: string;
let agentStore: Store;
let otherProcess: Store;

const instance = (id: string, service = 'api'): Instance => ({
  id,
  service,
  address: '127.0.0.1',
  port: 1000 + Number(id.replace(/\D/g, '') || 0),
  protocol: 'http',
  tags: [],
  meta: {},
  source: 'api',
  checks: [{ id: 'ttl', kind: 'ttl', ttlMs: 60_000 } as Instance['checks'][number]],
});

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-catalog-cache-'));
  const db = `sqlite://${join(dir, 'catalog.db')}`;
  agentStore = await openStore(db, {}, 'shop');
  // A second handle on the same file: a CLI command writing while the agent serves.
  otherProcess = await openStore(db, {}, 'shop');
});

afterEach(async () => {
  await agentStore.close();
  await otherProcess.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the agent catalog read once per change', () => {
  it('sees a write made elsewhere on the very next read (the change index moved)', async () => {
    await otherProcess.register(instance('a1'));
    expect((await readCatalog(agentStore)).map((v) => v.instance.id)).toEqual(['a1']);
    await otherProcess.register(instance('b2', 'web'));
    expect((await readCatalog(agentStore)).map((v) => v.instance.id)).toEqual(['a1', 'b2']);
    await otherProcess.deregister('a1');
    expect((await readCatalog(agentStore)).map((v) => v.instance.id)).toEqual(['b2']);
    expect((await readCatalog(agentStore, 'web')).map((v) => v.instance.id)).toEqual(['b2']);
    expect(await readCatalog(agentStore, 'api')).toEqual([]);
  });

  it('sees a check status change on the next read', async () => {
    await otherProcess.register(instance('a1'));
    expect((await readCatalog(agentStore))[0]!.states).toEqual([]);
    await otherProcess.putCheckState({
      instanceId: 'a1',
      checkId: 'ttl',
      status: 'critical',
      output: 'down',
      since: Date.now(),
    });
    expect((await readCatalog(agentStore))[0]!.states.map((s) => s.status)).toEqual(['critical']);
  });

  it('serves reads from one load until invalidated, and readers cannot change what others get', async () => {
    await otherProcess.register(instance('a1'));
    await otherProcess.register(instance('a2'));
    const first = await readCatalog(agentStore);
    first.reverse();
    first.pop();
    const second = await readCatalog(agentStore);
    expect(second.map((v) => v.instance.id)).toEqual(['a1', 'a2']);
    // Same load: the very same view objects.
    expect(second[1]).toBe(first[0]);
    invalidateCatalog(agentStore);
    const third = await readCatalog(agentStore);
    expect(third.map((v) => v.instance.id)).toEqual(['a1', 'a2']);
    expect(third[0]).not.toBe(second[0]);
  });

  it('keeps a loaded version for a feed event it already holds, and drops it for a later one', async () => {
    await otherProcess.register(instance('a1'));
    const loaded = await readSnapshot(agentStore);
    // The watch reports the write the version was loaded after: nothing to read again.
    invalidateCatalog(agentStore, loaded.index);
    expect(await readSnapshot(agentStore)).toBe(loaded);
    // An event past the version's index (an etcd lease expiry moves no index): read again.
    invalidateCatalog(agentStore, loaded.index + 1);
    const next = await readSnapshot(agentStore);
    expect(next).not.toBe(loaded);
    expect(next.views.map((v) => v.instance.id)).toEqual(['a1']);
    // Without an index (a check result that moved nothing): read again too.
    invalidateCatalog(agentStore);
    expect(await readSnapshot(agentStore)).not.toBe(next);
  });

  it('groups one version by service and id, and a write makes a new version', async () => {
    await otherProcess.register(instance('a1'));
    await otherProcess.register(instance('b2', 'web'));
    await otherProcess.register(instance('a3'));
    const first = await readSnapshot(agentStore);
    expect([...first.byService.keys()]).toEqual(['api', 'web']);
    expect(first.service('api').map((v) => v.instance.id)).toEqual(['a1', 'a3']);
    expect(first.service('none')).toEqual([]);
    expect(first.instance('b2')?.instance.service).toBe('web');
    expect(await readSnapshot(agentStore)).toBe(first);
    await otherProcess.deregister('a3');
    const second = await readSnapshot(agentStore);
    expect(second).not.toBe(first);
    expect(second.index).toBeGreaterThan(first.index);
    expect(second.service('api').map((v) => v.instance.id)).toEqual(['a1']);
    expect(second.instance('a3')).toBeUndefined();
  });
});
