import { type ChildProcess, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  /** With `tls`: the CA that signed the server, and a client certificate etcd requires. */
  tls?: { caFile: string; certFile: string; keyFile: string };
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makeCertificates(dir: string): {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
} {
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', timeout: 20_000 });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=portico-test-ca',
    '-keyout',
    f('ca-key.pem'),
    '-out',
    f('ca.pem'),
  );
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(f('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [
    ['server', '127.0.0.1'],
    ['client', 'portico'],
  ] as const) {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      f(`${name}-key.pem`),
      '-out',
      f(`${name}.csr`),
    );
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca-key.pem'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      f(`${name}.ext`),
      '-out',
      f(`${name}.pem`),
    );
  }
  return {
    ca: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server-key.pem'),
    clientCert: f('client.pem'),
    clientKey: f('client-key.pem'),
  };
}

/** etcd exited before it served (its last log lines in the message). */
class EtcdExited extends Error {}

/**
 * Wait until `child` accepts connections on `port`; an exit before that rejects at once with
 * EtcdExited and etcd's last log lines (a port taken between `freePort` and etcd's bind).
 */
async function waitServing(
  child: ChildProcess,
  port: number,
  what: string,
  timeoutMs: number,
): Promise<void> {
  let log = '';
  const onLog = (d: Buffer): void => {
    log = (log + d.toString()).slice(-2000);
  };
  child.stderr?.on('data', onLog);
  let onExit = (): void => {};
  const exited = new Promise<never>((_, reject) => {
    onExit = () => reject(new EtcdExited(`${what}: etcd exited before serving: ${log.trim().slice(-400)}`));
    child.once('exit', onExit);
  });
  exited.catch(() => {});
  try {
    // The client port accepts connections once etcd serves.
    await Promise.race([
      waitFor(async () => (await tcpConnect({ host: '127.0.0.1', port, timeoutMs: 200 })) !== undefined, {
        what,
        timeoutMs,
      }),
      exited,
    ]);
  } finally {
    child.off('exit', onExit);
    child.stderr?.off('data', onLog);
  }
}

/**
 * A one-member etcd 3.4 on 127.0.0.1 (random free ports, data in a temp dir), stopped by pid.
 * With `tls`, clients must speak TLS and present a certificate signed by the test CA.
 *
 * A port `freePort` found free can be taken before etcd binds it (by any outgoing connection
 * of the tests running beside: they share the ephemeral range); etcd then exits at once. That
 * is seen as an exit, not as a 20 s wait, and the start is tried again on fresh ports.
 */
export async function startEtcd(options: { tls?: boolean } = {}): Promise<EtcdServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEtcdOnce(options);
    } catch (error) {
      if (!(error instanceof EtcdExited) || attempt >= 3) throw error;
    }
  }
}

async function startEtcdOnce(options: { tls?: boolean }): Promise<EtcdServer> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-etcd-'));
  const [client, peer, metrics] = [await freePort(), await freePort(), await freePort()];
  const certs = options.tls ? makeCertificates(dir) : undefined;
  const scheme = certs ? 'https' : 'http';
  const args = [
    '--name',
    't',
    '--data-dir',
    join(dir, 'data'),
    '--listen-client-urls',
    `${scheme}://127.0.0.1:${client}`,
    '--advertise-client-urls',
    `${scheme}://127.0.0.1:${client}`,
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
    ...(certs
      ? [
          '--cert-file',
          certs.serverCert,
          '--key-file',
          certs.serverKey,
          '--client-cert-auth',
          '--trusted-ca-file',
          certs.ca,
        ]
      : []),
  ];
  let child = spawnTracked('etcd', args);
  const up = () => waitServing(child, client, 'etcd up', 10_000);
  try {
    await up();
  } catch (error) {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: `127.0.0.1:${client}`,
    port: client,
    ...(certs ? { tls: { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey } } : {}),
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

export interface EtcdCluster {
  /** host:port of every member's client URL, for `etcd://a,b,c`. */
  endpoints: string[];
  members: Array<{ name: string; pid: number; kill(): Promise<void> }>;
  stop(): Promise<void>;
}

/**
 * A cluster of `size` etcd members, all on 127.0.0.1 with their own ports and data dirs. A member
 * that exits before serving (a port taken meanwhile, as for `startEtcd`) stops the whole attempt,
 * and the cluster is started again on fresh ports, up to 3 times.
 */
export async function startEtcdCluster(size: number): Promise<EtcdCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEtcdClusterOnce(size);
    } catch (error) {
      if (!(error instanceof EtcdExited) || attempt >= 3) throw error;
    }
  }
}

async function startEtcdClusterOnce(size: number): Promise<EtcdCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-etcd-cluster-'));
  const ports: Array<{ name: string; client: number; peer: number; metrics: number }> = [];
  for (let i = 0; i < size; i++) {
    ports.push({
      name: `m${i}`,
      client: await freePort(),
      peer: await freePort(),
      metrics: await freePort(),
    });
  }
  const initialCluster = ports.map((p) => `${p.name}=http://127.0.0.1:${p.peer}`).join(',');
  const children = ports.map((p) =>
    spawnTracked('etcd', [
      '--name',
      p.name,
      '--data-dir',
      join(dir, p.name),
      '--listen-client-urls',
      `http://127.0.0.1:${p.client}`,
      '--advertise-client-urls',
      `http://127.0.0.1:${p.client}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${p.peer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${p.peer}`,
      '--initial-cluster',
      initialCluster,
      '--initial-cluster-state',
      'new',
      '--listen-metrics-urls',
      `http://127.0.0.1:${p.metrics}`,
      '--log-level',
      'error',
    ]),
  );
  try {
    await Promise.all(
      ports.map((p, i) => waitServing(children[i]!, p.client, `etcd member ${p.name} up`, 15_000)),
    );
  } catch (error) {
    await Promise.all(children.map((c) => stopProcess(c)));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoints: ports.map((p) => `127.0.0.1:${p.client}`),
    members: ports.map((p, i) => ({
      name: p.name,
      pid: children[i]!.pid ?? -1,
      // A crash, not a shutdown: SIGKILL by pid.
      kill: async () => {
        const child = children[i]!;
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      },
    })),
    async stop() {
      await Promise.all(children.map((c) => stopProcess(c)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
