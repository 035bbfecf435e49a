// Writes N instances into a catalog from a separate process (for the cross-process tests).
import { SqliteStore } from '../../dist/store/sqlite/sqlite-store.js';

const [path, mode, prefix, count] = process.argv.slice(2);
const store = new SqliteStore({ path });
if (mode === 'write') {
  for (let i = 0; i < Number(count); i++) {
    await store.register({
      id: `${prefix}-${i}`,
      service: prefix,
      address: '127.0.0.1',
      port: 10000 + i,
      protocol: 'tcp',
      tags: [],
      meta: {},
      source: 'cli',
      checks: [],
    });
  }
}
await store.close();
console.log('done');
