// A 3-member etcd 3.4 cluster for the bench: on 127.0.0.1 (three ports each), or one member per
// network-namespace host on its own address. Ready when a Portico store can open on it.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../../dist/store/index.js';
import { startProcess } from './processes.mjs';

/**
 * members: [{ name, prefix (argv prefix: [] or `ip netns exec NS`), address, client, peer, metrics }]
 * Returns { endpoints: "a:p,b:q,…", members: [{ …, proc, endpoint }] }.
 */
export async function startEtcd(members, dir) {
  const initial = members.map((m) => `${m.name}=http://${m.address}:${m.peer}`).join(',');
  const started = members.map((m) => {
    const proc = startProcess(`etcd ${m.name}`, m.prefix, [
      'etcd',
      '--name',
      m.name,
      '--data-dir',
      join(dir, `etcd-${m.name}`),
      '--listen-client-urls',
      `http://${m.address}:${m.client}`,
      '--advertise-client-urls',
      `http://${m.address}:${m.client}`,
      '--listen-peer-urls',
      `http://${m.address}:${m.peer}`,
      '--initial-advertise-peer-urls',
      `http://${m.address}:${m.peer}`,
      '--initial-cluster',
      initial,
      // Inside a namespace 127.0.0.1 is the namespace's own loopback.
      '--listen-metrics-urls',
      `http://127.0.0.1:${m.metrics}`,
      '--log-level',
      'error',
    ]);
    return { ...m, proc, endpoint: `${m.address}:${m.client}` };
  });
  const endpoints = started.map((m) => m.endpoint).join(',');
  // Ready: a store opens through every member (bounded: 30 s).
  const deadline = Date.now() + 30_000;
  for (const m of started) {
    for (;;) {
      const store = await openStore(`etcd://${m.endpoint}?timeout=1000`, {}, 'bench-ready').catch(
        () => undefined,
      );
      if (store) {
        await store.close();
        break;
      }
      if (!m.proc.running()) throw new Error(`etcd ${m.name} exited: ${m.proc.output().slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`etcd ${m.name} not ready within 30 s`);
      await sleep(200);
    }
  }
  return { endpoints, members: started };
}
