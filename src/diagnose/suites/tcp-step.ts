import { formatHostPort } from '../../core/address.js';
import { NetFailure } from '../../net/failure.js';
import { tcpConnect } from '../../net/tcp.js';
import type { FindingCode } from '../codes.js';
import type { Finding, StepResult } from '../finding.js';
import { ms } from './dns-step.js';
import type { Target } from './target.js';

export interface TcpOutcome {
  /** Addresses that accepted a connection. */
  reachable: string[];
  findings: Finding[];
}

const codeFor: Partial<Record<string, FindingCode>> = {
  refused: 'CONN_REFUSED',
  timeout: 'CONN_FILTERED',
  unreachable: 'CONN_UNREACHABLE',
  reset: 'CONN_RESET',
};

/** Connect to every address the name resolved to, and explain the failures by class. */
export async function tcpStep(
  t: Target,
  addresses: Array<{ address: string; family: number }>,
  timeoutMs: number,
  signal: AbortSignal,
  note: (s: string) => void,
  step: (name: string, result: StepResult) => void = () => {},
): Promise<TcpOutcome> {
  const results = await Promise.all(
    addresses.map(async (a) => {
      const started = performance.now();
      try {
        await tcpConnect({ host: a.address, port: t.port, timeoutMs, signal });
        note(`TCP ${formatHostPort(a.address, t.port)} connected (${ms(started)})`);
        step(`TCP connect ${formatHostPort(a.address, t.port)}`, { ok: true });
        return { address: a.address, family: a.family, ok: true as const };
      } catch (error) {
        const kind = error instanceof NetFailure ? error.kind : 'other';
        note(`TCP ${formatHostPort(a.address, t.port)} ${kind} (${ms(started)})`);
        step(`TCP connect ${formatHostPort(a.address, t.port)}`, { ok: false, detail: kind });
        return {
          address: a.address,
          family: a.family,
          ok: false as const,
          kind,
          message: (error as Error).message,
        };
      }
    }),
  );
  const reachable = results.filter((r) => r.ok).map((r) => r.address);
  const failed = results.filter((r) => !r.ok);
  const findings: Finding[] = [];
  if (reachable.length > 0 && failed.length > 0 && t.host === 'localhost') {
    const bad = failed[0]!;
    findings.push({
      code: 'LOCALHOST_IPV6_MISMATCH',
      severity: 'warning',
      title: `"localhost" resolves to ${bad.address} too, where nothing listens on port ${t.port}`,
      evidence: [
        `localhost → ${addresses.map((a) => a.address).join(', ')}`,
        `${formatHostPort(bad.address, t.port)}: ${bad.kind}`,
        `${reachable.map((r) => formatHostPort(r, t.port)).join(', ')}: accepts`,
      ],
      why: `Clients that try ${bad.address} first (Node 17+, curl, browsers with happy eyeballs disabled) get "${bad.kind}" or a delay before falling back, and some never fall back.`,
      fix: `Make the server listen on both families (:: with dual-stack, or both 127.0.0.1 and ::1), or connect to ${reachable[0]} explicitly instead of localhost.`,
      data: { failed: bad.address, reachable },
    });
  } else if (reachable.length === 0 && failed.length > 0) {
    const first = failed[0]!;
    const code = codeFor[first.kind] ?? 'CONN_REFUSED';
    const where = failed.map((f) => formatHostPort(f.address, t.port)).join(', ');
    findings.push({
      code,
      severity: 'error',
      title: `${t.input}: ${first.kind === 'timeout' ? 'connections time out' : first.kind === 'refused' ? 'connection refused' : first.kind} at ${where}`,
      evidence: failed.map((f) => `${formatHostPort(f.address, t.port)} → ${f.message}`),
      why: explain(first.kind),
      fix: fixFor(first.kind, t),
      data: { addresses: failed.map((f) => f.address), kind: first.kind },
    });
  }
  return { reachable, findings };
}

function explain(kind: string): string {
  switch (kind) {
    case 'refused':
      return 'The host answered with a reset: no process listens on that port (or a firewall REJECTs). The service is down, on another port, or bound to another address.';
    case 'timeout':
      return 'Nothing answered at all: a firewall DROPs the packets, the host is down, or it is overloaded. Clients hang until their own timeout.';
    case 'unreachable':
      return 'The network has no route to that host (or a router says it is unreachable): no connection can start.';
    default:
      return 'The connection was cut before any exchange.';
  }
}

function fixFor(kind: string, t: Target): string {
  switch (kind) {
    case 'refused':
      return `Start the service, or check its port and bind address: portico ports who ${t.port} on that host shows what listens.`;
    case 'timeout':
      return `Check firewall rules between here and ${t.host} (iptables -L -n, security groups) and that the host is up.`;
    case 'unreachable':
      return `Check routes (ip route get ${t.host}) and that the host's network is up.`;
    default:
      return 'Look at the server logs for why it drops new connections.';
  }
}
