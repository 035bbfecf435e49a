// Races for cluster-wide port reservations from its own process: every worker asks for the same
// shared names and a few of its own, then prints what it got as JSON.
import { reserveClusterPort } from '../../dist/cluster/reservations.js';
import { openStore } from '../../dist/store/index.js';

const [url, worker] = process.argv.slice(2);
const store = await openStore(url, {});
const got = {};
const names = [
  ...Array.from({ length: 10 }, (_, i) => `shared-${i}`),
  ...Array.from({ length: 5 }, (_, i) => `own-${worker}-${i}`),
];
await Promise.all(
  names.map(async (name) => {
    got[name] = (
      await reserveClusterPort(store, name, { owner: `worker-${worker}`, range: { from: 30000, to: 30999 } })
    ).port;
  }),
);
await store.close();
console.log(JSON.stringify(got));
