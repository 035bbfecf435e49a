import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Instance } from '../../src/core/model.js';
import { Monitor } from '../../src/discovery/monitor.js';
import { openStore, type Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

const opened: Store[] = [];
const stopping = new AbortController();
afterEach(async () => {
  stopping.abort();
  for (const s of opened.splice(0)) await s.close();
});

const instance = (i: number): Instance => ({
  id: `burst-${i}`,
  service: 'burst',
  address: '127.0.0.1',
  port: 20000 + i,
  protocol: 'tcp',
  tags: [],
  meta: {},
  source: 'cli',
  checks: [],
});

/** The store the monitor reads, counting its full catalog reads. */
function counting(store: Store): { store: Store; lists: () => number } {
  let lists = 0;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'listInstances')
        return (...args: Parameters<Store['listInstances']>) => {
          lists++;
          return target.listInstances(...args);
        };
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: proxy, lists: () => lists };
}

it('reloads the catalog once per burst of changes, not once per change, and ends with all of them', async () => {
  const db = `sqlite://${join(tempDir('portico-monitor-'), 'catalog.db')}`;
  const read = await openStore(db, {}, 'burst');
  const write = await openStore(db, {}, 'burst');
  opened.push(read, write);
  const { store, lists } = counting(read);
  const errors: string[] = [];
  const monitor = new Monitor({
    store,
    sources: [],
    env: {},
    signal: stopping.signal,
    onEvent: () => undefined,
    onError: (m) => errors.push(m),
  });
  const running = monitor.run();
  await waitFor(async () => lists() >= 1, { what: 'the first catalog read' });
  const burst = 300;
  // One source sync from another store handle: 300 changes reach the watch together, as another
  // host's registrations reach an agent faster than it can read the catalog.
  await write.syncSource(
    'burst-source',
    Array.from({ length: burst }, (_, i) => instance(i)),
  );
  await waitFor(async () => monitor.current().length === burst, {
    what: `${burst} instances in the monitor`,
    timeoutMs: 20_000,
  });
  expect(errors).toEqual([]);
  console.log(`catalog reads for ${burst} changes: ${lists()}`);
  expect(lists()).toBeLessThan(burst / 10);
  stopping.abort();
  await running;
});
