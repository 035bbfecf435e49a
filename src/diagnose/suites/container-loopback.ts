import { readFileSync } from 'node:fs';
import { parseTable, type RawSocket } from '../../ports/procfs-net.js';
import type { Facts } from '../facts.js';
import type { Finding } from '../finding.js';

/**
 * The classic "works inside the container, connection reset from outside": the app listens on
 * 127.0.0.1 inside its container, so Docker's forwarder, which connects to the container's
 * address, is refused and resets the client. We look into the container's network namespace
 * through /proc/<its pid>/net (no exec needed) to see what the app really bound.
 */
export async function containerLoopback(facts: Facts, hostPort: number): Promise<Finding | undefined> {
  const docker = await facts.docker();
  if (!docker) return undefined;
  const containers = await docker.listContainers();
  const c = containers.find((x) => x.Ports?.some((p) => p.PublicPort === hostPort && p.Type === 'tcp'));
  if (!c) return undefined;
  const binding = c.Ports.find((p) => p.PublicPort === hostPort)!;
  const info = await docker.getContainer(c.Id).inspect();
  const pid = info.State.Pid;
  if (!pid) return undefined;
  const sockets: RawSocket[] = [];
  for (const [file, family] of [
    ['tcp', 4],
    ['tcp6', 6],
  ] as const) {
    try {
      parseTable(readFileSync(`/proc/${pid}/net/${file}`, 'latin1'), 'tcp', family, '0A', sockets);
    } catch {
      return undefined; // not root, or another kernel: we cannot look inside
    }
  }
  const onPort = sockets.filter((s) => s.port === binding.PrivatePort);
  if (onPort.length === 0 || onPort.some((s) => s.address === '0.0.0.0' || s.address === '::'))
    return undefined;
  const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
  return {
    code: 'CONTAINER_APP_LOOPBACK',
    severity: 'error',
    title: `the app in container ${name} listens on ${onPort.map((s) => s.address).join(', ')}:${binding.PrivatePort}, unreachable through the published port ${hostPort}`,
    evidence: [
      `container ${name} publishes ${binding.IP ?? '0.0.0.0'}:${hostPort} → ${binding.PrivatePort}/tcp`,
      `inside the container (pid ${pid}): listening on ${onPort.map((s) => `${s.address}:${s.port}`).join(', ')} only`,
    ],
    why: "Published ports are forwarded to the container's own network address; an app bound to loopback inside the container never sees them, so clients get a reset or an empty reply.",
    fix: `Make the app listen on 0.0.0.0 (e.g. --host 0.0.0.0, HOST=0.0.0.0, server.address=0.0.0.0) inside the container; keep the host side private with ports: ["127.0.0.1:${hostPort}:${binding.PrivatePort}"].`,
    data: { container: name, containerPort: binding.PrivatePort, bound: onPort.map((s) => s.address) },
  };
}
