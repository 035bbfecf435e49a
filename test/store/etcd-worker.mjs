// Registers N instances (and syncs a source) into an etcd catalog from a separate process, for
// the concurrency tests. Prints "done" when every write was acknowledged.
import { openStore } from '../../dist/store/index.js';

const [url, prefix, count] = process.argv.slice(2);
const store = await openStore(url, {});
const instance = (id, port, source) => ({
  id,
  service: 'shared',
  address: '127.0.0.1',
  port,
  protocol: 'tcp',
  tags: [],
  meta: {},
  source,
  checks: [],
});
const n = Number(count);
// Writers race on distinct ids (registrations) and on the same ids (a shared sync source).
await Promise.all(
  Array.from({ length: 4 }, async (_, lane) => {
    for (let i = lane; i < n; i += 4) await store.register(instance(`${prefix}-${i}`, 10000 + i, 'cli'));
  }),
);
await store.syncSource('shared', [
  instance('common-1', 1, 'shared'),
  instance(`common-${prefix}`, 2, 'shared'),
]);
await store.close();
console.log('done');
