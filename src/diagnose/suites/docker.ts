import type Docker from 'dockerode';
import type { Check, Finding } from '../finding.js';
import { hostRoutes, overlaps, parseCidr } from './subnets.js';

/**
 * `troubleshoot docker`: networks and their subnets against this host's routes and each other,
 * which containers share which networks, ports published on every interface, and compose
 * services that call a service they share no network with.
 */
const noEngine = 'no Docker engine answers here (DOCKER_HOST or /var/run/docker.sock)';

export function dockerChecks(): Check[] {
  return [
    {
      id: 'docker.networks',
      category: 'docker',
      title: 'Docker networks and subnets',
      async run(ctx) {
        const docker = await ctx.facts.docker();
        if (!docker) {
          ctx.skip(noEngine);
          return [];
        }
        const networks = await docker.listNetworks();
        const findings: Finding[] = [];
        const subnets = networks.flatMap((n) =>
          (n.IPAM?.Config ?? []).flatMap((c) =>
            c.Subnet && parseCidr(c.Subnet) ? [{ network: n, cidr: parseCidr(c.Subnet)! }] : [],
          ),
        );
        for (const s of subnets)
          ctx.note(
            `network ${s.network.Name} (${s.network.Driver}${s.network.Internal ? ', internal' : ''}): ${s.cidr.text}`,
          );
        const bridgeOf = (n: Docker.NetworkInspectInfo): string =>
          n.Name === 'bridge' ? 'docker0' : `br-${n.Id.slice(0, 12)}`;
        for (const s of subnets) {
          for (const r of hostRoutes()) {
            if (r.default || r.device === bridgeOf(s.network) || !overlaps(s.cidr, r.cidr)) continue;
            findings.push({
              code: 'DOCKER_SUBNET_OVERLAP',
              severity: 'warning',
              title: `Docker network ${s.network.Name} (${s.cidr.text}) overlaps the host route ${r.cidr.text} via ${r.device}`,
              evidence: [
                `docker network ${s.network.Name}: subnet ${s.cidr.text}`,
                `host route ${r.cidr.text} dev ${r.device} (/proc/net/route)`,
              ],
              why: `Traffic from containers (and from this host) to addresses in ${r.cidr.text} may go to the Docker bridge instead of ${r.device}: VPNs, office networks or other hosts in that range become unreachable.`,
              fix: `Recreate the network with a subnet that overlaps nothing (ipam: config: - subnet: …), or set default-address-pools in /etc/docker/daemon.json.`,
              data: { network: s.network.Name, subnet: s.cidr.text, route: r.cidr.text, device: r.device },
            });
          }
        }
        for (let i = 0; i < subnets.length; i++) {
          for (let j = i + 1; j < subnets.length; j++) {
            const a = subnets[i]!;
            const b = subnets[j]!;
            if (a.network.Id !== b.network.Id && overlaps(a.cidr, b.cidr)) {
              findings.push({
                code: 'DOCKER_NETWORK_SUBNET_CONFLICT',
                severity: 'warning',
                title: `Docker networks ${a.network.Name} (${a.cidr.text}) and ${b.network.Name} (${b.cidr.text}) overlap`,
                evidence: [`${a.network.Name}: ${a.cidr.text}`, `${b.network.Name}: ${b.cidr.text}`],
                why: 'Containers on both networks see ambiguous routes: traffic to one network can land on the other.',
                fix: 'Give each network its own subnet.',
              });
            }
          }
        }
        return findings;
      },
    },
    {
      id: 'docker.containers',
      category: 'docker',
      title: 'Containers: shared networks and published ports',
      async run(ctx) {
        const docker = await ctx.facts.docker();
        if (!docker) {
          ctx.skip(noEngine);
          return [];
        }
        const containers = await docker.listContainers();
        const findings: Finding[] = [];
        const name = (c: Docker.ContainerInfo): string => (c.Names[0] ?? c.Id).replace(/^\//, '');
        const nets = (c: Docker.ContainerInfo): string[] => Object.keys(c.NetworkSettings?.Networks ?? {});
        for (const c of containers) {
          ctx.note(`${name(c)}: networks ${nets(c).join(', ') || '(none)'}`);
          findings.push(...publishedEverywhere(c));
        }
        // Compose services calling another service (depends_on, or its name in an environment
        // value) must share a network with it, or the name will not resolve.
        const project = await ctx.facts.compose();
        if (!project) return findings;
        const running = containers.filter((c) => c.Labels?.['com.docker.compose.project'] === project.name);
        const byService = new Map(running.map((c) => [c.Labels['com.docker.compose.service']!, c]));
        for (const svc of project.services) {
          const from = byService.get(svc.name);
          if (!from) continue;
          const envText = Object.values(svc.environment).join(' ');
          const calls = project.services.filter(
            (o) =>
              o.name !== svc.name &&
              (svc.dependsOn.includes(o.name) ||
                new RegExp(`(^|[^\\w-])${o.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w-]|$)`).test(
                  envText,
                )),
          );
          for (const target of calls) {
            const to = byService.get(target.name);
            if (!to) continue;
            const shared = nets(from).filter((n) => nets(to).includes(n));
            if (shared.length > 0) continue;
            findings.push({
              code: 'DOCKER_NOT_ON_SHARED_NETWORK',
              severity: 'error',
              title: `${svc.name} calls ${target.name}, but they share no Docker network`,
              evidence: [
                `${name(from)}: ${nets(from).join(', ') || '(none)'}`,
                `${name(to)}: ${nets(to).join(', ') || '(none)'}`,
              ],
              why: `Service names resolve only on shared networks: ${svc.name} gets "could not resolve host" or a timeout for ${target.name}.`,
              fix: `Add a common network to both services in the compose file (networks: [${nets(to)[0]?.replace(`${project.name}_`, '') ?? 'backend'}]).`,
            });
          }
        }
        return findings;
      },
    },
  ];
}

/** Ports a container publishes on every interface of the host (what `-p 8080:80` does). */
export function publishedEverywhere(c: Pick<Docker.ContainerInfo, 'Names' | 'Id' | 'Ports'>): Finding[] {
  const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
  return (c.Ports ?? [])
    .filter((p) => p.PublicPort && (!p.IP || p.IP === '0.0.0.0' || p.IP === '::'))
    .map((p) => ({
      code: 'DOCKER_PUBLISHED_ALL_INTERFACES' as const,
      severity: 'warning' as const,
      title: `container ${name} publishes ${p.PublicPort}/${p.Type} on all interfaces`,
      evidence: [`${p.IP || '0.0.0.0'}:${p.PublicPort} → ${p.PrivatePort}/${p.Type}`],
      why: 'Anyone who can reach this host can reach the container; Docker also bypasses host firewalls such as ufw for published ports.',
      fix: `Publish on loopback when only this host needs it: ports: ["127.0.0.1:${p.PublicPort}:${p.PrivatePort}"].`,
    }));
}
