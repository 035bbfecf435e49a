import type Docker from 'dockerode';
import { checkDefaults } from '../../../checks/define.js';
import { noSecretPolicy, type SecretPolicy } from '../../../checks/trust.js';
import type { CheckDefinition, Instance } from '../../../core/model.js';
import { guessProtocol, readLabels } from '../../labels.js';
import { hostAddress } from '../compose/compose-source.js';

/**
 * Instances for one running container: one per published TCP port (at the host address), or
 * when nothing is published, one per exposed port at the container's address on each network.
 */
export function containerInstances(
  c: Docker.ContainerInfo,
  warn: (m: string) => void,
  secrets: SecretPolicy = noSecretPolicy,
): Instance[] {
  const labels = readLabels(c.Labels ?? {}, (m) => warn(`container ${containerName(c)}: ${m}`), secrets);
  if (!labels.enabled) return [];
  const name = containerName(c);
  const service = labels.service ?? c.Labels?.['com.docker.compose.service'] ?? name;
  const networks = Object.entries(c.NetworkSettings?.Networks ?? {});
  const health = /\((healthy|unhealthy|health: starting)\)/
    .exec(c.Status ?? '')?.[1]
    ?.replace('health: ', '');
  const meta: Record<string, string> = {
    container_id: c.Id.slice(0, 12),
    container_name: name,
    image: c.Image,
    networks: networks.map(([n]) => n).join(','),
    ...(c.Labels?.['com.docker.compose.project']
      ? { compose_project: c.Labels['com.docker.compose.project'] }
      : {}),
    ...(health ? { docker_health: health } : {}),
    ...labels.meta,
  };
  const checks = (defaultCheck: CheckDefinition | undefined): CheckDefinition[] => [
    ...(labels.checks ?? (defaultCheck ? [defaultCheck] : [])),
    ...(health
      ? [
          {
            id: 'docker-health',
            origin: 'docker' as const,
            kind: 'docker-health' as const,
            container: c.Id.slice(0, 12),
            ...checkDefaults,
            rise: 1,
            fall: 1,
          },
        ]
      : []),
  ];
  const tcpPorts = (c.Ports ?? []).filter(
    (p) => p.Type === 'tcp' && (labels.port === undefined || p.PrivatePort === labels.port),
  );
  const published = dedupe(
    tcpPorts.filter((p) => p.PublicPort),
    (p) => `${hostAddress(p.IP)}:${p.PublicPort}`,
  );
  if (published.length > 0) {
    return published.map((p) => ({
      id: `docker:${c.Id.slice(0, 12)}:${p.PublicPort}`,
      service,
      address: hostAddress(p.IP),
      port: p.PublicPort!,
      protocol: labels.protocol ?? guessProtocol(p.PrivatePort),
      tags: [...labels.tags, 'docker'],
      meta: { ...meta, container_port: String(p.PrivatePort) },
      source: 'docker',
      checks: checks({ id: 'tcp', kind: 'tcp', origin: 'docker', ...checkDefaults }),
    }));
  }
  const exposed =
    labels.port !== undefined ? [labels.port] : [...new Set(tcpPorts.map((p) => p.PrivatePort))];
  return networks.flatMap(([network, n]) =>
    n.IPAddress
      ? exposed.map((port) => ({
          id: `docker:${c.Id.slice(0, 12)}:${network}:${port}`,
          service,
          address: n.IPAddress,
          port,
          protocol: labels.protocol ?? guessProtocol(port),
          tags: [...labels.tags, 'docker', 'internal'],
          meta: { ...meta, network, container_port: String(port), reachable: 'container-network' },
          source: 'docker',
          checks: checks(undefined),
        }))
      : [],
  );
}

export function containerName(c: Docker.ContainerInfo): string {
  return (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
}

function dedupe<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = key(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
