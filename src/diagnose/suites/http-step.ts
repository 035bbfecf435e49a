import { formatHostPort } from '../../core/address.js';
import { NetFailure } from '../../net/failure.js';
import { httpProbe } from '../../net/http.js';
import type { Finding } from '../finding.js';
import type { Target } from './target.js';

/** One GET, timed like curl -w (dns, connect, tls, ttfb, total); 5xx and slow answers explained. */
export async function httpStep(
  t: Target,
  address: string,
  timeoutMs: number,
  signal: AbortSignal,
  note: (s: string) => void,
): Promise<Finding[]> {
  const url = `${t.scheme}://${formatHostPort(t.host, t.port)}${t.path}`;
  try {
    const r = await httpProbe({
      url,
      timeoutMs,
      signal,
      tlsVerify: false,
      connectTo: { host: address, port: t.port },
    });
    const tm = r.timings;
    note(
      `HTTP GET ${url} → ${r.status} (connect ${tm.connect.toFixed(1)}ms${tm.tls !== undefined ? `, tls ${tm.tls.toFixed(1)}ms` : ''}, ttfb ${tm.ttfb.toFixed(1)}ms, total ${tm.total.toFixed(1)}ms)`,
    );
    const findings: Finding[] = [];
    if (r.status >= 500) {
      findings.push({
        code: 'HTTP_5XX',
        severity: 'error',
        title: `${url} answered ${r.status}`,
        evidence: [
          `status ${r.status}`,
          `body: ${r.body.replace(/\s+/g, ' ').slice(0, 200) || '(empty)'}`,
          ...(r.headers['x-portico-error'] ? [`x-portico-error: ${r.headers['x-portico-error']}`] : []),
        ],
        why:
          r.status === 502 || r.status === 504
            ? 'A gateway in front of the service could not get an answer from it.'
            : 'The service is up but failing: its clients see errors.',
        fix:
          r.status === 502 || r.status === 504
            ? 'Run portico troubleshoot api-gateway to find the upstream behind it.'
            : "Check the service's logs for the error behind this status.",
        data: { status: r.status },
      });
    }
    if (tm.ttfb > 1000) {
      findings.push({
        code: 'HTTP_SLOW',
        severity: 'warning',
        title: `${url} took ${Math.round(tm.ttfb)}ms to answer`,
        evidence: [`time to first byte ${tm.ttfb.toFixed(0)}ms, total ${tm.total.toFixed(0)}ms`],
        why: 'Gateways and clients with short timeouts (often 1-5 s) will cut it off with 504s.',
        fix: 'Profile the slow endpoint, or raise the timeouts of what calls it.',
      });
    }
    return findings;
  } catch (error) {
    const kind = error instanceof NetFailure ? error.kind : 'other';
    note(`HTTP GET ${url} failed: ${kind}`);
    if (kind === 'reset') return []; // reported by the TCP / container checks, which know why
    return [
      {
        code: kind === 'timeout' ? 'HTTP_SLOW' : 'CONN_RESET',
        severity: 'error',
        title: `${url}: ${(error as Error).message}`,
        evidence: [(error as Error).message],
        why:
          kind === 'timeout'
            ? 'The server accepted the connection but did not answer in time.'
            : 'The server accepted the connection but did not speak HTTP back.',
        fix:
          kind === 'timeout'
            ? 'Check what the server is stuck on (its logs, a thread dump).'
            : 'Check that this port serves HTTP (not TLS, not another protocol).',
      },
    ];
  }
}
