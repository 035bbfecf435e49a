import { isIP } from 'node:net';
import { formatHostPort } from '../../core/address.js';
import { PorticoError } from '../../core/errors.js';
import type { Facts } from '../facts.js';

export interface Target {
  /** As the user wrote it. */
  input: string;
  host: string;
  port: number;
  scheme: 'tcp' | 'http' | 'https';
  path: string;
  /** Set when the name is a compose service (reachable by name only inside its networks). */
  composeService?: { name: string; published?: { host: string; port: number } };
  /** The catalog/discovery service this target came from. */
  service?: string;
}

const schemeByProtocol: Record<string, Target['scheme']> = { http: 'http', https: 'https', grpc: 'tcp' };

/**
 * What to test: a URL, host:port, or a service name (catalog, portico.yaml, compose). A compose
 * service that only exists inside its Docker networks is remembered as such, so the DNS step
 * can explain why its name does not resolve from the host.
 */
export async function resolveTarget(input: string, facts: Facts): Promise<Target[]> {
  if (/^https?:\/\//i.test(input)) {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new PorticoError('E_USAGE', `"${input}" is not a valid URL`);
    }
    const scheme = url.protocol === 'https:' ? 'https' : 'http';
    return [
      {
        input,
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: Number(url.port || (scheme === 'https' ? 443 : 80)),
        scheme,
        path: `${url.pathname}${url.search}`,
      },
    ];
  }
  const hostPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(input);
  if (hostPort) {
    const port = Number(hostPort[2]);
    if (port < 1 || port > 65535)
      throw new PorticoError('E_PORT_INVALID', `port ${port} in "${input}" is not in 1-65535`);
    const host = hostPort[1]!.replace(/^\[|\]$/g, '');
    // A compose service name with a port, used from the host: the DNS step explains it.
    const svc = isLiteral(host)
      ? undefined
      : (await facts.compose().catch(() => undefined))?.services.find((x) => x.name === host);
    const published =
      svc?.ports.find((p) => p.hostPort !== undefined && p.protocol === 'tcp' && p.containerPort === port) ??
      svc?.ports.find((p) => p.hostPort !== undefined && p.protocol === 'tcp');
    return [
      {
        input,
        host,
        port,
        scheme: 'tcp',
        path: '/',
        ...(svc
          ? {
              composeService: {
                name: svc.name,
                ...(published
                  ? { published: { host: hostOf(published.hostIp), port: published.hostPort! } }
                  : {}),
              },
            }
          : {}),
      },
    ];
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(input))
    throw new PorticoError('E_USAGE', `"${input}" is not a service name, host:port or URL`);

  const instances = (await facts.instances()).filter((i) => i.service === input && !i.meta.reachable);
  if (instances.length > 0) {
    return instances.map((i) => ({
      input,
      host: i.address,
      port: i.port,
      scheme: schemeByProtocol[i.protocol] ?? 'tcp',
      path:
        i.checks.find((c) => c.kind === 'http')?.kind === 'http'
          ? (i.checks.find((c) => c.kind === 'http') as { path: string }).path
          : '/',
      service: i.service,
    }));
  }
  const project = await facts.compose();
  const svc = project?.services.find((s) => s.name === input);
  if (svc) {
    const p = svc.ports.find((x) => x.hostPort !== undefined && x.protocol === 'tcp');
    const port = p?.containerPort ?? svc.expose[0] ?? 80;
    return [
      {
        input,
        host: input,
        port,
        scheme: 'tcp',
        path: '/',
        composeService: {
          name: input,
          ...(p ? { published: { host: hostOf(p.hostIp), port: p.hostPort! } } : {}),
        },
      },
    ];
  }
  throw new PorticoError('E_USAGE', `"${input}" is not a known service`, {
    hint: 'Give host:port or a URL, or a service from the catalog, portico.yaml or the compose file here.',
  });
}

function hostOf(ip: string | undefined): string {
  return !ip || ip === '0.0.0.0' ? '127.0.0.1' : ip === '::' ? '::1' : ip;
}

export function describe(t: Target): string {
  return t.scheme === 'tcp'
    ? formatHostPort(t.host, t.port)
    : `${t.scheme}://${formatHostPort(t.host, t.port)}${t.path}`;
}

export function isLiteral(host: string): boolean {
  return isIP(host) !== 0;
}
