import { promises as dns } from 'node:dns';
import { readFileSync } from 'node:fs';
import type { Finding } from '../finding.js';
import { isLiteral, type Target } from './target.js';

export interface DnsOutcome {
  addresses: Array<{ address: string; family: number }>;
  findings: Finding[];
}

/** Names that never go to a DNS server (RFC 6761), answered from /etc/hosts by the system. */
function localName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

function inHostsFile(host: string): boolean {
  try {
    return readFileSync('/etc/hosts', 'utf8')
      .split('\n')
      .some((line) => line.replace(/#.*/, '').trim().split(/\s+/).slice(1).includes(host));
  } catch {
    return false;
  }
}

/**
 * Resolve the way applications do (getaddrinfo: /etc/hosts, then DNS) and the way `dig` does
 * (the DNS server only), and explain the failure classes: no such name, a temporary resolver
 * failure, and a compose service name used from the host.
 */
export async function dnsStep(t: Target, note: (s: string) => void): Promise<DnsOutcome> {
  if (isLiteral(t.host))
    return { addresses: [{ address: t.host, family: t.host.includes(':') ? 6 : 4 }], findings: [] };
  if (t.composeService && !inHostsFile(t.host)) {
    // Docker's DNS answers service names only inside the project's networks: from the host the
    // lookup can only fail (and would leak the name to the upstream resolver), so we don't send it.
    const pub = t.composeService.published;
    note(`DNS: "${t.host}" is a compose service name; it resolves only inside the project's Docker networks`);
    return {
      addresses: [],
      findings: [
        {
          code: 'DNS_COMPOSE_NAME_FROM_HOST',
          severity: 'error',
          title: `"${t.host}" is a compose service name, which the host cannot resolve`,
          evidence: [
            `service ${t.host} is defined in the compose file`,
            `"${t.host}" is not in /etc/hosts`,
            pub ? `it publishes ${pub.host}:${pub.port}` : 'it publishes no port on the host',
          ],
          why: "Docker's embedded DNS serves service names only to containers on the project's networks; a process on the host gets ENOTFOUND.",
          fix: pub
            ? `From the host use ${pub.host}:${pub.port}; from containers keep using ${t.host}:${t.port}.`
            : `Publish a port (ports: ["127.0.0.1:${t.port}:${t.port}"]) to reach it from the host, or run the client in a container on the same network.`,
          data: { service: t.host, published: pub ?? null },
        },
      ],
    };
  }
  const started = performance.now();
  let addresses: DnsOutcome['addresses'] = [];
  try {
    addresses = await dns.lookup(t.host, { all: true, verbatim: true });
    note(
      `DNS lookup (getaddrinfo) ${t.host} → ${addresses.map((a) => a.address).join(', ')} (${ms(started)})`,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    note(`DNS lookup (getaddrinfo) ${t.host} → ${code} (${ms(started)})`);
    const temporary = code === 'EAI_AGAIN';
    return {
      addresses: [],
      findings: [
        {
          code: temporary ? 'DNS_TEMPORARY' : 'DNS_NOT_FOUND',
          severity: 'error',
          title: temporary
            ? `resolving "${t.host}" failed temporarily (${code})`
            : `"${t.host}" does not resolve (${code})`,
          evidence: [`getaddrinfo("${t.host}") → ${code}`],
          why: temporary
            ? 'The resolver did not answer or failed: every client of this name fails until it recovers.'
            : 'No DNS record or hosts entry exists for this name, so every connection fails before it starts.',
          fix: temporary
            ? 'Check /etc/resolv.conf and that the DNS server is reachable; retry.'
            : `Check the spelling; add a DNS record or an /etc/hosts entry; inside compose, use the service name from containers only.`,
        },
      ],
    };
  }
  const findings: Finding[] = [];
  if (!localName(t.host) && !inHostsFile(t.host)) {
    const resolved: string[] = [];
    const r0 = performance.now();
    for (const resolve of [(h: string) => dns.resolve4(h), (h: string) => dns.resolve6(h)]) {
      try {
        resolved.push(...(await resolve(t.host)));
      } catch {}
    }
    note(`DNS resolve (server) ${t.host} → ${resolved.join(', ') || 'no records'} (${ms(r0)})`);
    const looked = new Set(addresses.map((a) => a.address));
    if (resolved.length > 0 && !resolved.some((a) => looked.has(a))) {
      findings.push({
        code: 'DNS_LOOKUP_RESOLVE_DIFFER',
        severity: 'info',
        title: `applications and DNS disagree about "${t.host}"`,
        evidence: [`getaddrinfo → ${[...looked].join(', ')}`, `DNS server → ${resolved.join(', ')}`],
        why: 'Something local (nsswitch, a hosts entry, a local resolver cache) overrides DNS: tools like dig show different answers than your applications see.',
        fix: 'Trust the getaddrinfo answer for application behaviour; look for the override in /etc/hosts or nsswitch.conf if it is unexpected.',
      });
    }
  }
  return { addresses, findings };
}

export function ms(started: number): string {
  return `${(performance.now() - started).toFixed(1)}ms`;
}
