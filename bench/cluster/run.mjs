#!/usr/bin/env node
// The catalog on etcd vs the embedded SQLite catalog, in the same run: registrations per second,
// read latency, and how long a change written on "host A" takes to reach a watcher on "host C"
// (a 3-member etcd cluster on 127.0.0.1, A's client talks only to member 0, C's only to member 2).
// Preliminary figures: short runs on a shared 2-core machine; compare the ratios, not the ms.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../../dist/store/index.js';
import { quantile, writeResult } from '../lib/measure.mjs';

const registrations = Number(process.env.BENCH_REGISTRATIONS ?? 1000);
const changes = Number(process.env.BENCH_CHANGES ?? 200);
const reads = Number(process.env.BENCH_READS ?? 300);

async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

async function startCluster(dir) {
  const members = [];
  for (let i = 0; i < 3; i++)
    members.push({
      name: `m${i}`,
      client: await freePort(),
      peer: await freePort(),
      metrics: await freePort(),
    });
  const initial = members.map((m) => `${m.name}=http://127.0.0.1:${m.peer}`).join(',');
  const children = members.map((m) =>
    spawn(
      'etcd',
      [
        '--name',
        m.name,
        '--data-dir',
        join(dir, m.name),
        '--listen-client-urls',
        `http://127.0.0.1:${m.client}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${m.client}`,
        '--listen-peer-urls',
        `http://127.0.0.1:${m.peer}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${m.peer}`,
        '--initial-cluster',
        initial,
        '--listen-metrics-urls',
        `http://127.0.0.1:${m.metrics}`,
        '--log-level',
        'error',
      ],
      { stdio: 'ignore' },
    ),
  );
  return { endpoints: members.map((m) => `127.0.0.1:${m.client}`), children };
}

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
async function registerRate(store, prefix) {
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

/** Read latency of one instance and of the whole list. */
async function readLatency(store, prefix) {
  const one = [];
  const all = [];
  for (let i = 0; i < reads; i++) {
    let t = performance.now();
    await store.getInstance(`${prefix}-1-${i % registrations}`);
    one.push(performance.now() - t);
    if (i % 10 === 0) {
      t = performance.now();
      await store.listInstances();
      all.push(performance.now() - t);
    }
  }
  return { getP50: quantile(one, 0.5), getP99: quantile(one, 0.99), listP50: quantile(all, 0.5) };
}

/** Write on `writer`, wait for the event on `reader`'s watch: p50/p99 of that delay. */
async function visibility(writer, reader) {
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

const dir = mkdtempSync(join(tmpdir(), 'portico-bench-cluster-'));
const cluster = await startCluster(dir);
try {
  const [a0, , c2] = cluster.endpoints;
  const all = cluster.endpoints.join(',');
  let hostA;
  for (let i = 0; i < 100 && !hostA; i++)
    hostA = await openStore(`etcd://${a0}`, {}, 'bench').catch(() => sleep(200));
  const hostC = await openStore(`etcd://${c2}`, {}, 'bench');
  const everyMember = await openStore(`etcd://${all}`, {}, 'rates');
  const sqlite = await openStore(`sqlite://${join(dir, 'catalog.db')}`, {}, 'rates');
  const sqliteReader = await openStore(`sqlite://${join(dir, 'catalog.db')}`, {}, 'bench');
  const sqliteWriter = await openStore(`sqlite://${join(dir, 'catalog.db')}`, {}, 'bench');

  const rate = { etcd: await registerRate(everyMember, 'r'), sqlite: await registerRate(sqlite, 'r') };
  const read = { etcd: await readLatency(everyMember, 'r'), sqlite: await readLatency(sqlite, 'r') };
  const vis = {
    etcdAtoC: await visibility(hostA, hostC),
    sqliteSameHost: await visibility(sqliteWriter, sqliteReader),
  };
  for (const s of [hostA, hostC, everyMember, sqlite, sqliteReader, sqliteWriter]) await s.close();

  const result = { preliminary: true, registrations, changes, reads, rate, read, visibility: vis };
  const f = (n) => n.toFixed(1);
  const md = [
    `# cluster (preliminary: shared 2-core machine, short runs) — ${new Date().toISOString()}`,
    '',
    `3-member etcd 3.4 on 127.0.0.1 vs SQLite (WAL, synchronous=FULL) in the same run.`,
    '',
    '| measure | etcd | SQLite | etcd / SQLite |',
    '|---|---|---|---|',
    `| registrations/s, 1 writer | ${f(rate.etcd.lanes1)} | ${f(rate.sqlite.lanes1)} | ${(rate.etcd.lanes1 / rate.sqlite.lanes1).toFixed(2)} |`,
    `| registrations/s, 8 lanes | ${f(rate.etcd.lanes8)} | ${f(rate.sqlite.lanes8)} | ${(rate.etcd.lanes8 / rate.sqlite.lanes8).toFixed(2)} |`,
    `| getInstance p50 (ms) | ${f(read.etcd.getP50)} | ${f(read.sqlite.getP50)} | ${(read.etcd.getP50 / read.sqlite.getP50).toFixed(1)} |`,
    `| getInstance p99 (ms) | ${f(read.etcd.getP99)} | ${f(read.sqlite.getP99)} | ${(read.etcd.getP99 / read.sqlite.getP99).toFixed(1)} |`,
    `| listInstances (${2 * registrations}) p50 (ms) | ${f(read.etcd.listP50)} | ${f(read.sqlite.listP50)} | ${(read.etcd.listP50 / read.sqlite.listP50).toFixed(1)} |`,
    `| change visible, p50 (ms): etcd host A→C / SQLite same host | ${f(vis.etcdAtoC.p50)} | ${f(vis.sqliteSameHost.p50)} | ${(vis.etcdAtoC.p50 / vis.sqliteSameHost.p50).toFixed(2)} |`,
    `| change visible, p99 (ms) | ${f(vis.etcdAtoC.p99)} | ${f(vis.sqliteSameHost.p99)} | ${(vis.etcdAtoC.p99 / vis.sqliteSameHost.p99).toFixed(2)} |`,
    '',
    `Visibility: ${vis.etcdAtoC.seen}/${changes} (etcd) and ${vis.sqliteSameHost.seen}/${changes} (SQLite) changes seen.`,
  ].join('\n');
  console.log(md);
  console.log(`written to ${writeResult('cluster', result, md)}`);
} finally {
  for (const c of cluster.children) c.kill('SIGTERM');
  await Promise.all(cluster.children.map((c) => (c.exitCode === null ? once(c, 'exit') : undefined)));
  rmSync(dir, { recursive: true, force: true });
}
