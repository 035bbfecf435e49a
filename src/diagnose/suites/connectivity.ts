import type { Check, Finding } from '../finding.js';
import { containerLoopback } from './container-loopback.js';
import { dnsStep } from './dns-step.js';
import { dropsAtAccept, httpStep, type StepEnv } from './http-step.js';
import { describe, resolveTarget, type Target } from './target.js';
import { tcpStep } from './tcp-step.js';
import { tlsStep } from './tls-step.js';

export interface ConnectivityOptions {
  /** Per step (connect, handshake, answer). */
  timeoutMs?: number;
  /** Time to first byte, or from first byte to end, above which an answer is "slow". */
  slowMs?: number;
  /** Resolve through these DNS servers (after the hosts file) instead of getaddrinfo. */
  dnsServers?: string[];
  hostsFile?: string;
}

/**
 * `troubleshoot connectivity <target>`: DNS → TCP → TLS → HTTP for each endpoint of the target,
 * every step timed, reported to the runner (ctx.step) and every failure classified and explained.
 */
export async function connectivityChecks(
  input: string,
  facts: import('../facts.js').Facts,
  options: ConnectivityOptions = {},
): Promise<Check[]> {
  const targets = await resolveTarget(input, facts);
  return targets.map((t) => connectivityCheck(t, options));
}

export function connectivityCheck(t: Target, options: ConnectivityOptions | number = {}): Check {
  const o = typeof options === 'number' ? { timeoutMs: options } : options;
  const timeoutMs = o.timeoutMs ?? 3000;
  return {
    id: `connectivity:${describe(t)}`,
    category: 'connectivity',
    title: `Connectivity to ${t.service ?? t.input} (${describe(t)})`,
    timeoutMs: timeoutMs * 5 + 2000,
    async run(ctx) {
      const env: StepEnv = {
        timeoutMs,
        signal: ctx.signal,
        note: ctx.note,
        step: ctx.step,
        slowMs: o.slowMs ?? 1000,
      };
      const dnsServers = o.dnsServers ?? ctx.env.PORTICO_DNS_SERVERS?.split(',').filter(Boolean);
      const dns = await dnsStep(t, {
        ...env,
        ...(dnsServers?.length ? { dnsServers } : {}),
        ...(o.hostsFile ? { hostsFile: o.hostsFile } : {}),
      });
      const findings: Finding[] = [...dns.findings];
      if (dns.addresses.length === 0) return findings;
      const tcp = await tcpStep(t, dns.addresses, timeoutMs, ctx.signal, ctx.note, ctx.step);
      const split =
        tcp.reachable.length === 0 ? await loopbackFamilySplit(t, dns.addresses, ctx.facts) : undefined;
      findings.push(...(split ? [split] : tcp.findings));
      const address = tcp.reachable[0];
      if (!address) return findings;
      // TLS and HTTP findings speak of addresses and URLs; in a report on many services each
      // must also say which service it is about.
      const about = (f: Finding): Finding =>
        t.service && !f.title.startsWith(t.service) ? { ...f, title: `${t.service}: ${f.title}` } : f;
      let exchange: Finding[] = [];
      let handshake = true;
      if (t.scheme === 'https') {
        const tls = await tlsStep(t, address, { ...env, env: ctx.env });
        handshake = tls.handshake;
        exchange.push(...tls.findings);
      }
      if (t.scheme !== 'tcp' && handshake) exchange.push(...(await httpStep(t, address, env)));
      if (t.scheme === 'tcp') {
        // With no protocol to speak, "connected" is not enough: a port that accepts and drops
        // every connection at once (a published container port with nothing behind it, a
        // connection limit) serves nobody. Stay connected without sending, as a client would.
        const atAccept = await dropsAtAccept(t, address, [], env);
        if (atAccept) exchange.push(atAccept);
      }
      // A connection that is accepted and then dropped at once is what a Docker-published port
      // does when the app inside listens on loopback: look inside the container.
      const dropped = exchange.some((f) => f.code === 'CONN_RESET' || f.code === 'CONN_CLOSED');
      const published = (await ctx.facts.listeners()).listeners.some((l) => l.port === t.port && l.container);
      if (published && dropped) {
        const finding = await containerLoopback(ctx.facts, t.port);
        if (finding)
          exchange = [
            finding,
            ...exchange.filter((f) => f.code !== 'CONN_RESET' && f.code !== 'CONN_CLOSED'),
          ];
      }
      findings.push(...exchange.map(about));
      return findings;
    },
  };
}

/**
 * Refused on every address the name gave, yet something listens on the same port on the other
 * loopback family: the server is IPv4-only and the name gives ::1 (or the reverse).
 */
async function loopbackFamilySplit(
  t: Target,
  addresses: Array<{ address: string; family: number }>,
  facts: import('../facts.js').Facts,
): Promise<Finding | undefined> {
  if (!addresses.every((a) => a.address === '127.0.0.1' || a.address === '::1')) return undefined;
  const tried = new Set(addresses.map((a) => a.family));
  const { listeners } = await facts.listeners();
  const other = listeners.find(
    (l) =>
      l.protocol === 'tcp' &&
      l.port === t.port &&
      !tried.has(l.family) &&
      (l.scope === 'loopback' || l.scope === 'all'),
  );
  if (!other) return undefined;
  return {
    code: 'LOCALHOST_IPV6_MISMATCH',
    severity: 'error',
    title: `${t.input} goes to ${addresses.map((a) => a.address).join(', ')}, but the server listens on ${other.address} only`,
    evidence: [
      `${t.host} → ${addresses.map((a) => a.address).join(', ')}: refused`,
      `port ${t.port} is held on ${other.address} (${other.processes[0]?.name ?? 'unknown'}${other.processes[0] ? ` pid ${other.processes[0].pid}` : ''})`,
    ],
    why: `The server accepts only IPv${other.family} connections, and "${t.host}" gives this client the other family, so it is refused although the server runs.`,
    fix: `Make the server listen on both families (:: with dual-stack), or connect to ${other.address === '::' ? '[::1]' : other.address.includes(':') ? `[${other.address}]` : other.address}:${t.port} explicitly.`,
    data: { listening: other.address, tried: addresses.map((a) => a.address) },
  };
}
