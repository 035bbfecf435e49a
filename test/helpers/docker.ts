import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { afterAll } from 'vitest';
import { testImage } from './docker-engine.mjs';
import { isCI } from './requirements.js';

export { testImage };

/** DOCKER_HOST of the run's private engine, or undefined when the run has none. */
export function testDockerHost(): string | undefined {
  return process.env.PORTICO_TEST_DOCKER_HOST;
}

export function hasTestEngine(): boolean {
  return Boolean(testDockerHost()) || isCI;
}

export function testDocker(): Docker {
  const host = testDockerHost();
  if (!host) throw new Error('no test Docker engine (dockerd missing or not root); see test/setup/global.ts');
  return new Docker({ socketPath: host.replace('unix://', ''), timeout: 10_000 });
}

const created: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const undo of created.reverse()) await undo().catch(() => {});
});

/** An --internal network with its own subnet, removed after the file. */
export async function createInternalNetwork(name: string, subnet: string): Promise<Docker.Network> {
  const docker = testDocker();
  const network = await docker.createNetwork({
    Name: name,
    Internal: true,
    CheckDuplicate: true,
    IPAM: { Config: [{ Subnet: subnet }] },
  });
  created.push(() => network.remove());
  return network;
}

let publishNetwork: Promise<string> | undefined;

/**
 * Docker publishes ports only for containers on a non-internal network. Such a network is safe
 * here only because the host does not forward packets (net.ipv4.ip_forward=0, and the engine
 * runs with --ip-forward=false --iptables=false): containers can reach this host and nothing
 * beyond it. We check that before creating it, every time.
 */
export async function publishableNetwork(): Promise<string> {
  publishNetwork ??= (async () => {
    const forward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    if (forward !== '0')
      throw new Error('refusing to create a routable Docker network: net.ipv4.ip_forward is on');
    const name = `portico-pub-${process.pid}`;
    const octet = 100 + (process.pid % 100);
    const network = await testDocker().createNetwork({
      Name: name,
      Internal: false,
      CheckDuplicate: true,
      IPAM: { Config: [{ Subnet: `10.200.${octet}.0/24` }] },
    });
    created.push(() => network.remove());
    return name;
  })();
  return await publishNetwork;
}

export interface RunOptions {
  name: string;
  cmd: string[];
  labels?: Record<string, string>;
  /** containerPort/proto -> host port on 127.0.0.1 (never all interfaces). */
  publish?: Record<string, number>;
  network?: string;
  healthcheck?: { test: string[]; intervalMs: number; retries?: number };
}

/** Start a busybox container, removed (force) after the file. */
export async function runContainer(options: RunOptions): Promise<Docker.Container> {
  const docker = testDocker();
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const [key, hostPort] of Object.entries(options.publish ?? {})) {
    const spec = key.includes('/') ? key : `${key}/tcp`;
    exposed[spec] = {};
    bindings[spec] = [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }];
  }
  const network = options.network ?? (options.publish ? await publishableNetwork() : undefined);
  const container = await docker.createContainer({
    name: options.name,
    Image: testImage,
    Cmd: options.cmd,
    Labels: options.labels ?? {},
    ExposedPorts: exposed,
    ...(options.healthcheck
      ? {
          Healthcheck: {
            Test: options.healthcheck.test,
            Interval: options.healthcheck.intervalMs * 1e6,
            Timeout: 2e9,
            Retries: options.healthcheck.retries ?? 1,
          },
        }
      : {}),
    HostConfig: {
      PortBindings: bindings,
      ...(network ? { NetworkMode: network } : {}),
    },
  });
  created.push(() => container.remove({ force: true }));
  await container.start();
  return container;
}
