// Joins the catalog as a host (a leased session), registers one instance, prints "ready" and
// waits to be killed: the test measures how long the instance outlives the process.
import { openStore } from '../../dist/store/index.js';

const [url, id] = process.argv.slice(2);
const store = await openStore(url, {}, 'shop');
const session = await store.openSession({ host: 'dying' });
await session.store.register({
  id,
  service: 'web',
  address: '127.0.0.1',
  port: 8080,
  protocol: 'tcp',
  tags: [],
  meta: {},
  source: 'cli',
  checks: [],
});
console.log('ready');
setInterval(() => {}, 1000);
