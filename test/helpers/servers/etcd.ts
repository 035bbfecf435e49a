import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcpConnect } from '../../../src/net/tcp.js';
import { freePort } from '../net.js';
import { spawnTracked, stopProcess } from '../processes.js';
import { waitFor } from '../wait.js';

export interface EtcdServer {
  /** host:port of the client URL, for `etcd://…`. */
  endpoint: string;
  port: number;
  pid: number;
  /** Stop (SIGTERM, by pid) keeping the data dir, so `start` can bring the same member back. */
  pause(): Promise<void>;
  /** Start again on the same ports and data dir. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** A one-member etcd 3.4 on 127.0.0.1 (random free ports, data in a temp dir), stopped by pid. */
export async function startEtcd(): Promise<EtcdServer> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-etcd-'));
  const [client, peer, metrics] = [await freePort(), await freePort(), await freePort()];
  const args = [
    '--name',
    't',
    '--data-dir',
    join(dir, 'data'),
    '--listen-client-urls',
    `http://127.0.0.1:${client}`,
    '--advertise-client-urls',
    `http://127.0.0.1:${client}`,
    '--listen-peer-urls',
    `http://127.0.0.1:${peer}`,
    '--initial-advertise-peer-urls',
    `http://127.0.0.1:${peer}`,
    '--initial-cluster',
    `t=http://127.0.0.1:${peer}`,
    '--listen-metrics-urls',
    `http://127.0.0.1:${metrics}`,
    '--log-level',
    'error',
  ];
  let child = spawnTracked('etcd', args);
  const up = async () => {
    // The client port accepts connections once etcd serves; then a write round-trips via raft.
    await waitFor(
      async () => (await tcpConnect({ host: '127.0.0.1', port: client, timeoutMs: 200 })) !== undefined,
      {
        what: 'etcd up',
        timeoutMs: 10_000,
      },
    );
  };
  await up();
  return {
    endpoint: `127.0.0.1:${client}`,
    port: client,
    get pid() {
      return child.pid ?? -1;
    },
    async pause() {
      await stopProcess(child);
    },
    async resume() {
      child = spawnTracked('etcd', args);
      await up();
    },
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
