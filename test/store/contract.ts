import { describe, expect, it } from 'vitest';
import { parseCheckSpec } from '../../src/checks/define.js';
import type { Instance } from '../../src/core/model.js';
import type { Store, StoreEvent } from '../../src/store/store.js';

export function instance(id: string, overrides: Partial<Instance> = {}): Instance {
  return {
    id,
    service: 'auth-service',
    address: '127.0.0.1',
    port: 3001,
    protocol: 'http',
    tags: ['api'],
    meta: { team: 'identity' },
    source: 'manifest',
    checks: [parseCheckSpec('http:/health')],
    ...overrides,
  };
}

async function collect(store: Store, from: number, count: number): Promise<StoreEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 3000);
  const events: StoreEvent[] = [];
  for await (const e of store.watch(from, controller.signal)) {
    events.push(e);
    if (events.length >= count) break;
  }
  clearTimeout(timer);
  return events;
}

/**
 * What every Store backend must do. A backend's test file calls this with a factory that
 * returns a fresh, empty store.
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    it('starts empty at index 0', async () => {
      const s = await open();
      expect(await s.index()).toBe(0);
      expect(await s.listInstances()).toEqual([]);
      await s.close();
    });

    it('registers, reads back, filters and deregisters instances; the index only grows', async () => {
      const s = await open();
      await s.register(instance('a'));
      const i1 = await s.index();
      await s.register(instance('b', { service: 'billing', source: 'cli', port: 4000 }));
      expect(await s.index()).toBeGreaterThan(i1);
      expect(await s.getInstance('a')).toEqual(instance('a'));
      expect((await s.listInstances({ service: 'billing' })).map((i) => i.id)).toEqual(['b']);
      expect((await s.listInstances({ source: 'manifest' })).map((i) => i.id)).toEqual(['a']);
      expect((await s.listServices()).map((x) => x.name)).toEqual(['auth-service', 'billing']);
      const before = await s.index();
      expect(await s.deregister('a')).toBe(true);
      expect(await s.deregister('a')).toBe(false);
      expect(await s.index()).toBeGreaterThan(before);
      expect(await s.getInstance('a')).toBeUndefined();
      await s.close();
    });

    it("syncs one source's instances exactly, leaving other sources alone", async () => {
      const s = await open();
      await s.register(instance('cli-1', { source: 'cli' }));
      const first = await s.syncSource('docker', [
        instance('d1', { source: 'docker' }),
        instance('d2', { source: 'docker' }),
      ]);
      expect(first).toMatchObject({ added: ['d1', 'd2'], removed: [], changed: [] });
      const second = await s.syncSource('docker', [
        instance('d2', { source: 'docker', port: 9999 }),
        instance('d3', { source: 'docker' }),
      ]);
      expect(second).toMatchObject({ added: ['d3'], removed: ['d1'], changed: ['d2'] });
      const unchanged = await s.syncSource('docker', [
        instance('d2', { source: 'docker', port: 9999 }),
        instance('d3', { source: 'docker' }),
      ]);
      expect(unchanged).toMatchObject({ added: [], removed: [], changed: [] });
      expect((await s.listInstances()).map((i) => i.id).sort()).toEqual(['cli-1', 'd2', 'd3']);
      await s.close();
    });

    it('keeps check states, records status changes in the history, and drops state with the instance', async () => {
      const s = await open();
      await s.register(instance('a'));
      const base = { instanceId: 'a', checkId: 'http', output: 'x' };
      await s.putCheckState({ ...base, status: 'passing', since: 1000 });
      await s.putCheckState({ ...base, status: 'passing', since: 1000, output: 'still fine' });
      await s.putCheckState({ ...base, status: 'critical', since: 5000, reason: 'refused' });
      expect(await s.checkStates('a')).toMatchObject([
        { status: 'critical', reason: 'refused', since: 5000 },
      ]);
      expect((await s.history('a', 0)).map((h) => [h.status, h.at])).toEqual([
        ['passing', 1000],
        ['critical', 5000],
      ]);
      // The change before the window tells the status at its start.
      expect((await s.history('a', 2000)).map((h) => [h.status, h.at])).toEqual([
        ['passing', 1000],
        ['critical', 5000],
      ]);
      await s.deregister('a');
      expect(await s.checkStates('a')).toEqual([]);
      await s.close();
    });

    it('reads every instance history at once, each as history() answers it', async () => {
      const s = await open();
      for (const id of ['a', 'b', 'c']) await s.register(instance(id));
      const put = (instanceId: string, checkId: string, status: 'passing' | 'critical', since: number) =>
        s.putCheckState({ instanceId, checkId, status, since, output: '' });
      await put('a', 'http', 'passing', 1000);
      await put('a', 'http', 'critical', 3000);
      await put('a', 'tcp', 'passing', 1500);
      await put('b', 'http', 'critical', 500);
      await put('b', 'http', 'passing', 4000);
      // c has no history.
      for (const since of [0, 2000, 5000]) {
        const all = await s.histories(since);
        expect([...all.keys()].sort(), `since ${since}`).toEqual(['a', 'b']);
        for (const id of ['a', 'b'])
          expect(all.get(id), `${id} since ${since}`).toEqual(await s.history(id, since));
      }
      expect((await s.histories(2000)).get('a')!.map((h) => [h.checkId, h.status, h.at])).toEqual([
        ['http', 'passing', 1000],
        ['tcp', 'passing', 1500],
        ['http', 'critical', 3000],
      ]);
      await s.close();
    });

    it('stores TTL reports', async () => {
      const s = await open();
      await s.register(instance('job', { checks: [parseCheckSpec('ttl:30s')] }));
      await s.reportTtl({ instanceId: 'job', checkId: 'ttl', status: 'passing', output: 'done', at: 42 });
      expect(await s.ttlReports()).toEqual([
        { instanceId: 'job', checkId: 'ttl', status: 'passing', output: 'done', at: 42 },
      ]);
      await s.close();
    });

    it('streams changes after an index to a watcher', async () => {
      const s = await open();
      const from = await s.index();
      const watching = collect(s, from, 3);
      await s.register(instance('w1'));
      await s.putCheckState({ instanceId: 'w1', checkId: 'http', status: 'passing', output: '', since: 1 });
      await s.deregister('w1');
      const events = await watching;
      expect(events.map((e) => e.kind)).toEqual(['instance-upsert', 'check-state', 'instance-delete']);
      expect(events.every((e, i) => i === 0 || e.index > events[i - 1]!.index)).toBe(true);
      await s.close();
    });

    it("keeps projects apart: a sync in one never removes another project's instances", async () => {
      const s = await open();
      const a = s.inProject('shop');
      const b = s.inProject('blog');
      await a.syncSource('compose', [instance('web', { source: 'compose', port: 8080 })]);
      await b.syncSource('compose', [instance('web', { source: 'compose', port: 9090 })]);
      await b.syncSource('compose', []);
      expect((await a.listInstances()).map((i) => [i.id, i.port])).toEqual([['web', 8080]]);
      expect(await b.listInstances()).toEqual([]);
      await a.putCheckState({ instanceId: 'web', checkId: 'http', status: 'critical', output: '', since: 1 });
      expect(await b.checkStates()).toEqual([]);
      expect(await s.listInstances()).toEqual([]);
      expect(await s.listProjects()).toEqual(['shop']);
      await b.register(instance('api'));
      expect(await s.listProjects()).toEqual(['blog', 'shop']);
      expect(a.project).toBe('shop');
      await a.close();
      // Closing a view leaves the store usable.
      expect((await s.inProject('blog').listInstances()).map((i) => i.id)).toEqual(['api']);
      await s.close();
    });
  });
}
