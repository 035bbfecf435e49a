import { dockerGetJson } from '../docker/engine-get.js';
import type { ContainerOwner } from './listener.js';

/** A host port that a running container publishes. */
export interface PublishedBinding {
  hostIp: string;
  hostPort: number;
  protocol: string;
  container: ContainerOwner;
}

interface ApiContainer {
  Id: string;
  Names?: string[];
  Image: string;
  Labels?: Record<string, string>;
  Ports?: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }>;
}

/** Published ports of running containers, or undefined when no Docker engine answers. */
export async function dockerPublishedPorts(env: NodeJS.ProcessEnv): Promise<PublishedBinding[] | undefined> {
  const containers = await dockerGetJson<ApiContainer[]>('/containers/json', env);
  if (!containers) return undefined;
  const bindings: PublishedBinding[] = [];
  for (const c of containers) {
    const labels = c.Labels ?? {};
    const owner = {
      id: c.Id.slice(0, 12),
      name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
      image: c.Image,
      ...(labels['com.docker.compose.project']
        ? { composeProject: labels['com.docker.compose.project'] }
        : {}),
      ...(labels['com.docker.compose.service']
        ? { composeService: labels['com.docker.compose.service'] }
        : {}),
    };
    for (const p of c.Ports ?? []) {
      if (!p.PublicPort) continue;
      bindings.push({
        hostIp: p.IP ?? '0.0.0.0',
        hostPort: p.PublicPort,
        protocol: p.Type,
        container: { ...owner, containerPort: p.PrivatePort, protocol: p.Type },
      });
    }
  }
  return bindings;
}

/** Docker reports 0.0.0.0 for "all interfaces" on both families; match listeners accordingly. */
export function bindingMatches(
  b: PublishedBinding,
  address: string,
  port: number,
  protocol: string,
): boolean {
  if (b.hostPort !== port || b.protocol !== protocol) return false;
  if (b.hostIp === address) return true;
  const all = (a: string): boolean => a === '0.0.0.0' || a === '::' || a === '';
  return all(b.hostIp) && all(address);
}
