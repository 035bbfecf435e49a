import { existsSync } from 'node:fs';
import { addressScope } from '../core/address.js';
import { bindingMatches, dockerPublishedPorts, type PublishedBinding } from './docker-owners.js';
import type { Listener } from './listener.js';
import { readProcNet } from './procfs-net.js';
import { readUserNames, scanSocketOwners } from './procfs-owners.js';

export interface ListOptions {
  /** Ask the Docker engine which containers publish ports (default true; skipped fast if absent). */
  docker?: boolean;
  env?: NodeJS.ProcessEnv;
  /** procfs root, for tests. */
  procRoot?: string;
}

export interface ListResult {
  listeners: Listener[];
  /** Some owners could not be seen (other users' processes without root). */
  partial: boolean;
  /** Whether a Docker engine answered. */
  docker: boolean;
}

/**
 * Every listening TCP socket and bound UDP socket on this host, with owners. Linux reads procfs;
 * other systems use lsof. The Docker lookup runs concurrently with the procfs scan.
 */
export async function listListenersDetailed(options: ListOptions = {}): Promise<ListResult> {
  const env = options.env ?? process.env;
  const docker = options.docker === false ? Promise.resolve(undefined) : dockerPublishedPorts(env);
  const procRoot = options.procRoot ?? '/proc';
  let listeners: Listener[];
  let partial = false;
  if (existsSync(`${procRoot}/net/tcp`)) {
    ({ listeners, partial } = fromProcfs(procRoot));
  } else {
    const { listWithLsof } = await import('./lsof.js');
    listeners = await listWithLsof();
  }
  const bindings = await docker;
  if (bindings) attachContainers(listeners, bindings);
  listeners.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol) || a.family - b.family);
  return { listeners, partial, docker: bindings !== undefined };
}

export async function listListeners(options: ListOptions = {}): Promise<Listener[]> {
  return (await listListenersDetailed(options)).listeners;
}

function fromProcfs(procRoot: string): { listeners: Listener[]; partial: boolean } {
  const raw = readProcNet(procRoot);
  const { owners, partial } = scanSocketOwners(new Set(raw.map((s) => s.inode)), procRoot);
  const users = readUserNames();
  const listeners = raw.map((s): Listener => {
    const processes = owners.get(s.inode) ?? [];
    const listener: Listener = {
      protocol: s.protocol,
      family: s.family,
      address: s.address,
      port: s.port,
      scope: addressScope(s.address),
      inode: s.inode,
      uid: s.uid,
      processes,
      ownerHidden: processes.length === 0,
    };
    const user = users.get(s.uid);
    if (user) listener.user = user;
    return listener;
  });
  return { listeners, partial };
}

/**
 * The container that publishes a port is its owner; docker-proxy only forwards. Ports published
 * without a proxy (userland-proxy off: iptables only) have no socket, so they get an entry too.
 */
function attachContainers(listeners: Listener[], bindings: PublishedBinding[]): void {
  for (const b of bindings) {
    const matched = listeners.filter((l) => bindingMatches(b, l.address, l.port, l.protocol));
    for (const l of matched) l.container = b.container;
    if (matched.length === 0) {
      const family = b.hostIp.includes(':') ? 6 : 4;
      listeners.push({
        protocol: b.protocol === 'udp' ? 'udp' : 'tcp',
        family,
        address: b.hostIp || '0.0.0.0',
        port: b.hostPort,
        scope: addressScope(b.hostIp),
        inode: 0,
        uid: 0,
        processes: [],
        ownerHidden: false,
        container: b.container,
      });
    }
  }
}
