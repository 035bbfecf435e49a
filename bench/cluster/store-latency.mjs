// The Store layer alone, etcd against SQLite in the same run: registrations per second (1 writer,
// 8 lanes), getInstance / listInstances latency, and how long a change written through member 0
// ("host A") takes to reach a watcher connected only to member 2 ("host C"), next to SQLite's
// writer → watcher on one host. No agent in the path: this is the floor the agents build on.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../../dist/store/index.js';
import { quantile } from '../lib/measure.mjs';

const instance = (id, i) => ({
  id,
  service: 'bench',
  address: '127.0.0.1',
  port: 10000 + (i % 50000),
  protocol: 'tcp',
  tags: [],
  meta: {},
  source: 'cli',
  checks: [],
});

/** Registrations per second: one writer, then 8 concurrent lanes. */
async function registerRate(store, prefix, registrations) {
  const out = {};
  for (const lanes of [1, 8]) {
    let next = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (let i = next++; i < registrations; i = next++)
          await store.register(instance(`${prefix}-${lanes}-${i}`, i));
      }),
    );
    out[`lanes${lanes}`] = registrations / ((performance.now() - t) / 1000);
  }
  return out;
}

/**
 * Read latency of one instance and of the whole list, unchanged and right after one change (a
 * re-registration): a large etcd catalog is kept per handle and brought up to date, so the two
 * list cases cost differently.
 */
async function readLatency(store, prefix, registrations, reads) {
  const one = [];
  const all = [];
  const afterChange = [];
  for (let i = 0; i < reads; i++) {
    let t = performance.now();
    await store.getInstance(`${prefix}-1-${i % registrations}`);
    one.push(performance.now() - t);
    if (i % 10 === 0) {
      t = performance.now();
      await store.listInstances();
      all.push(performance.now() - t);
      await store.register(instance(`${prefix}-1-${i % registrations}`, i + 1));
      t = performance.now();
      await store.listInstances();
      afterChange.push(performance.now() - t);
    }
  }
  return {
    getP50: quantile(one, 0.5),
    getP99: quantile(one, 0.99),
    listP50: quantile(all, 0.5),
    listAfterChangeP50: quantile(afterChange, 0.5),
  };
}

/** Write on `writer`, wait for the event on `reader`'s watch: p50/p99 of that delay. */
async function visibility(writer, reader, changes) {
  const stop = new AbortController();
  const pending = new Map();
  const from = await reader.index();
  const delays = [];
  const watching = (async () => {
    for await (const e of reader.watch(from, stop.signal)) {
      const started = pending.get(e.instanceId);
      if (started !== undefined) {
        delays.push(performance.now() - started.t);
        pending.delete(e.instanceId);
        started.done();
      }
    }
  })();
  for (let i = 0; i < changes; i++) {
    const id = `vis-${i}`;
    const seen = new Promise((resolve) => pending.set(id, { t: performance.now(), done: resolve }));
    await writer.register(instance(id, i));
    await Promise.race([seen, sleep(5000)]);
  }
  stop.abort();
  await watching;
  return { p50: quantile(delays, 0.5), p99: quantile(delays, 0.99), seen: delays.length };
}

/**
 * `members`: the three client endpoints ("address:port"), A's first and C's last. The etcd
 * namespaces used here ("store-bench", "store-rates") are the store bench's alone.
 */
export async function storeLatency(members, dir, { registrations, reads, changes }) {
  const opened = [];
  const open = async (url, project) => {
    const s = await openStore(url, {}, project);
    opened.push(s);
    return s;
  };
  try {
    const hostA = await open(`etcd://${members[0]}`, 'store-bench');
    const hostC = await open(`etcd://${members[2]}`, 'store-bench');
    const everyMember = await open(`etcd://${members.join(',')}`, 'store-rates');
    const db = `sqlite://${join(dir, 'store-bench.db')}`;
    const sqlite = await open(db, 'store-rates');
    const sqliteReader = await open(db, 'store-bench');
    const sqliteWriter = await open(db, 'store-bench');
    const rate = {
      etcd: await registerRate(everyMember, 'r', registrations),
      sqlite: await registerRate(sqlite, 'r', registrations),
    };
    const read = {
      etcd: await readLatency(everyMember, 'r', registrations, reads),
      sqlite: await readLatency(sqlite, 'r', registrations, reads),
    };
    const vis = {
      etcdAtoC: await visibility(hostA, hostC, changes),
      sqliteSameHost: await visibility(sqliteWriter, sqliteReader, changes),
    };
    return { registrations, reads, changes, rate, read, visibility: vis };
  } finally {
    for (const s of opened) await s.close().catch(() => undefined);
  }
}

/** The store table in markdown. */
export function storeLatencyMarkdown(r, where) {
  const f = (n) => n.toFixed(1);
  const ratio = (a, b, d = 2) => (b > 0 ? (a / b).toFixed(d) : 'n/a');
  const { rate, read, visibility: vis } = r;
  return [
    `3-member etcd 3.4 (${where}) vs SQLite (WAL, synchronous=FULL), Store API in the bench process:`,
    '',
    '| measure | etcd | SQLite | etcd / SQLite |',
    '|---|---|---|---|',
    `| registrations/s, 1 writer | ${f(rate.etcd.lanes1)} | ${f(rate.sqlite.lanes1)} | ${ratio(rate.etcd.lanes1, rate.sqlite.lanes1)} |`,
    `| registrations/s, 8 lanes | ${f(rate.etcd.lanes8)} | ${f(rate.sqlite.lanes8)} | ${ratio(rate.etcd.lanes8, rate.sqlite.lanes8)} |`,
    `| getInstance p50 (ms) | ${f(read.etcd.getP50)} | ${f(read.sqlite.getP50)} | ${ratio(read.etcd.getP50, read.sqlite.getP50, 1)} |`,
    `| getInstance p99 (ms) | ${f(read.etcd.getP99)} | ${f(read.sqlite.getP99)} | ${ratio(read.etcd.getP99, read.sqlite.getP99, 1)} |`,
    `| listInstances (${2 * r.registrations}) p50 (ms) | ${f(read.etcd.listP50)} | ${f(read.sqlite.listP50)} | ${ratio(read.etcd.listP50, read.sqlite.listP50, 1)} |`,
    `| listInstances (${2 * r.registrations}) after one change, p50 (ms) | ${f(read.etcd.listAfterChangeP50)} | ${f(read.sqlite.listAfterChangeP50)} | ${ratio(read.etcd.listAfterChangeP50, read.sqlite.listAfterChangeP50, 1)} |`,
    `| change visible p50 (ms): etcd member A → watcher on C / SQLite same host | ${f(vis.etcdAtoC.p50)} | ${f(vis.sqliteSameHost.p50)} | ${ratio(vis.etcdAtoC.p50, vis.sqliteSameHost.p50)} |`,
    `| change visible p99 (ms) | ${f(vis.etcdAtoC.p99)} | ${f(vis.sqliteSameHost.p99)} | ${ratio(vis.etcdAtoC.p99, vis.sqliteSameHost.p99)} |`,
    '',
    `Changes seen: ${vis.etcdAtoC.seen}/${r.changes} (etcd), ${vis.sqliteSameHost.seen}/${r.changes} (SQLite).`,
  ].join('\n');
}
