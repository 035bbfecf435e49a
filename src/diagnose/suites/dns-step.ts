import { promises as dns } from 'node:dns';
import { readFileSync } from 'node:fs';
import type { Finding, StepResult } from '../finding.js';
import { isLiteral, type Target } from './target.js';

export interface DnsOutcome {
  addresses: Array<{ address: string; family: number }>;
  findings: Finding[];
}

export interface DnsEnv {
  note: (s: string) => void;
  step: (name: string, result: StepResult) => void;
  timeoutMs: number;
  /**
   * Ask these DNS servers ("127.0.0.53", "127.0.0.1:5353") after the hosts file, instead of the
   * system's getaddrinfo: separates NXDOMAIN, SERVFAIL and a timeout, which getaddrinfo folds
   * into two codes.
   */
  dnsServers?: string[];
  /** The hosts file to consult (default /etc/hosts). */
  hostsFile?: string;
}

/** Names that never go to a DNS server (RFC 6761), answered from /etc/hosts by the system. */
function localName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

function hostsEntries(host: string, file = '/etc/hosts'): Array<{ address: string; family: number }> {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim().split(/\s+/))
      .filter((f) => f.length > 1 && f.slice(1).includes(host))
      .map((f) => ({ address: f[0]!, family: f[0]!.includes(':') ? 6 : 4 }));
  } catch {
    return [];
  }
}

type Failure = { code: 'DNS_NOT_FOUND' | 'DNS_TEMPORARY' | 'DNS_SERVFAIL' | 'DNS_TIMEOUT'; errno: string };

function failureOf(errno: string): Failure['code'] {
  switch (errno) {
    case 'ENOTFOUND':
    case 'ENODATA':
      return 'DNS_NOT_FOUND';
    case 'ESERVFAIL':
    case 'EREFUSED':
      return 'DNS_SERVFAIL';
    case 'ETIMEOUT':
    case 'ETIMEDOUT':
      return 'DNS_TIMEOUT';
    default:
      return 'DNS_TEMPORARY';
  }
}

/**
 * Resolve the way applications do (getaddrinfo: /etc/hosts, then DNS) and the way `dig` does
 * (the DNS server only), and explain the failure classes: no such name, SERVFAIL, a timeout, a
 * temporary failure, a compose service name used from the host, and a name only the hosts file
 * knows.
 */
export async function dnsStep(t: Target, env: DnsEnv): Promise<DnsOutcome> {
  const { note } = env;
  if (isLiteral(t.host)) {
    env.step('resolve', { ok: true, detail: 'address literal' });
    return { addresses: [{ address: t.host, family: t.host.includes(':') ? 6 : 4 }], findings: [] };
  }
  const inHosts = hostsEntries(t.host, env.hostsFile);
  if (t.composeService && inHosts.length === 0) {
    // Docker's DNS answers service names only inside the project's networks: from the host the
    // lookup can only fail (and would leak the name to the upstream resolver), so we don't send it.
    const pub = t.composeService.published;
    note(`DNS: "${t.host}" is a compose service name; it resolves only inside the project's Docker networks`);
    env.step('resolve', { ok: false, detail: 'compose service name, not resolvable from the host' });
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
  const how = env.dnsServers ? `DNS ${env.dnsServers.join(', ')}` : 'lookup (getaddrinfo)';
  let addresses: DnsOutcome['addresses'] = [];
  try {
    addresses =
      env.dnsServers && inHosts.length === 0
        ? await resolveWith(env.dnsServers, t.host, env.timeoutMs)
        : env.dnsServers
          ? inHosts
          : await dns.lookup(t.host, { all: true, verbatim: true });
    note(`DNS ${how} ${t.host} → ${addresses.map((a) => a.address).join(', ')} (${ms(started)})`);
    env.step('resolve', { ok: true, detail: addresses.map((a) => a.address).join(', ') });
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code ?? 'unknown';
    note(`DNS ${how} ${t.host} → ${errno} (${ms(started)})`);
    env.step('resolve', { ok: false, detail: errno });
    return { addresses: [], findings: [dnsFailure(t, { code: failureOf(errno), errno }, how)] };
  }
  const findings: Finding[] = [];
  if (inHosts.length > 0 && !localName(t.host)) {
    findings.push({
      code: 'DNS_HOSTS_FILE_ONLY',
      severity: 'info',
      title: `"${t.host}" resolves through ${env.hostsFile ?? '/etc/hosts'} on this host`,
      evidence: [
        `${env.hostsFile ?? '/etc/hosts'}: ${inHosts.map((a) => `${a.address} ${t.host}`).join('; ')}`,
      ],
      why: 'Containers (each has its own /etc/hosts) and other machines do not read this file: for them the name resolves differently, or not at all.',
      fix: `Add a DNS record for ${t.host}, or the same entry where the clients run (extra_hosts: in compose).`,
      data: { addresses: inHosts.map((a) => a.address) },
    });
  } else if (!localName(t.host) && !env.dnsServers) {
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

/** A and AAAA from the given servers; the more telling error when neither answers. */
async function resolveWith(
  servers: string[],
  host: string,
  timeoutMs: number,
): Promise<Array<{ address: string; family: number }>> {
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers(servers);
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
  const addresses = [
    ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
    ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
  ];
  if (addresses.length > 0) return addresses;
  const errors = [v4, v6].flatMap((r) =>
    r.status === 'rejected' ? [r.reason as NodeJS.ErrnoException] : [],
  );
  // NODATA for one family and NXDOMAIN/SERVFAIL for the other: the latter says more.
  throw (
    errors.find((e) => e.code !== 'ENODATA') ??
    errors[0] ??
    Object.assign(new Error('no address'), { code: 'ENODATA' })
  );
}

function dnsFailure(t: Target, f: Failure, how: string): Finding {
  const evidence = [`${how}: "${t.host}" → ${f.errno}`];
  switch (f.code) {
    case 'DNS_NOT_FOUND':
      return {
        code: f.code,
        severity: 'error',
        title: `"${t.host}" does not resolve (${f.errno})`,
        evidence,
        why: 'No DNS record or hosts entry exists for this name (NXDOMAIN), so every connection fails before it starts.',
        fix: 'Check the spelling; add a DNS record or an /etc/hosts entry; inside compose, use the service name from containers only.',
      };
    case 'DNS_SERVFAIL':
      return {
        code: f.code,
        severity: 'error',
        title: `the DNS server failed to resolve "${t.host}" (${f.errno === 'EREFUSED' ? 'REFUSED' : 'SERVFAIL'})`,
        evidence,
        why: 'The name may well exist, but the DNS server could not get an answer (a broken zone, an unreachable upstream, DNSSEC failure) or refused to ask.',
        fix: `Check the DNS server and its upstreams: dig ${t.host} shows the status; retry against another server to compare.`,
      };
    case 'DNS_TIMEOUT':
      return {
        code: f.code,
        severity: 'error',
        title: `the DNS server did not answer for "${t.host}" (${f.errno})`,
        evidence,
        why: 'Queries go unanswered: the server is down, unreachable, or a firewall drops port 53. Every lookup waits for the full timeout.',
        fix: 'Check that the server in /etc/resolv.conf is up and reachable on UDP and TCP port 53.',
      };
    default:
      return {
        code: 'DNS_TEMPORARY',
        severity: 'error',
        title: `resolving "${t.host}" failed temporarily (${f.errno})`,
        evidence: [`getaddrinfo("${t.host}") → ${f.errno}`],
        why: 'The resolver did not answer or failed: every client of this name fails until it recovers.',
        fix: 'Check /etc/resolv.conf and that the DNS server is reachable; retry.',
      };
  }
}

export function ms(started: number): string {
  return `${(performance.now() - started).toFixed(1)}ms`;
}
