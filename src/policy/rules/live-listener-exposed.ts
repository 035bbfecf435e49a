import type { Listener } from '../../ports/listener.js';
import { adminPorts, datastorePorts, imageName } from '../classify.js';
import type { Rule, Violation } from '../model.js';

/** Process names of database, cache and broker servers. */
const datastoreProcesses = [
  'postgres',
  'mysqld',
  'mariadbd',
  'redis-server',
  'mongod',
  'memcached',
  'beam.smp',
];

/** Why a listener is a datastore or admin socket, or undefined. */
export function sensitiveListener(listener: Listener): string | undefined {
  const known = datastorePorts.get(listener.port) ?? adminPorts.get(listener.port);
  if (known) return known;
  const proc = listener.processes.find((p) => datastoreProcesses.includes(p.name));
  if (proc) return proc.name;
  const image = imageName(listener.container?.image);
  return image &&
    (datastorePorts.has(listener.container!.containerPort) ||
      adminPorts.has(listener.container!.containerPort))
    ? `container ${listener.container!.name} (${image})`
    : undefined;
}

/** Only with --live: what is actually listening, whatever the files say. */
export const liveListenerExposed: Rule = {
  id: 'live-listener-exposed',
  defaultSeverity: 'error',
  summary: '(--live) A database or admin port is listening beyond loopback on this host right now.',
  check(ctx) {
    const out: Violation[] = [];
    for (const listener of ctx.listeners ?? []) {
      if (listener.protocol !== 'tcp' || listener.scope === 'loopback') continue;
      const reason = sensitiveListener(listener);
      if (!reason) continue;
      const owner = listener.container?.name ?? listener.processes[0]?.name ?? 'unknown owner';
      const address = listener.address.includes(':') ? `[${listener.address}]` : listener.address;
      // Point at the compose entry that publishes it, when one does.
      const published = ctx.services
        .flatMap((s) => s.ports.map((port) => ({ s, port })))
        .find((r) => r.port.hostPort === listener.port);
      out.push({
        message: `${reason} is listening on ${address}:${listener.port} (${owner}): reachable from other hosts; bind it to 127.0.0.1`,
        ...(published ? { service: published.s.name } : {}),
        port: listener.port,
        ...(published ? { location: ctx.locate.port(published.port) } : {}),
      });
    }
    return out;
  },
};
