import { formatHostPort } from '../../core/address.js';
import { closesAtAccept } from '../../net/early-close.js';
import { NetFailure } from '../../net/failure.js';
import { httpProbe, printable } from '../../net/http.js';
import { tlsHandshake } from '../../net/tls.js';
import type { Finding, StepResult } from '../finding.js';
import type { Target } from './target.js';

export interface StepEnv {
  timeoutMs: number;
  signal: AbortSignal;
  note: (s: string) => void;
  step: (name: string, result: StepResult) => void;
  /** Slower than this to the first byte (or from first byte to the end) is "slow". */
  slowMs: number;
}

/** Same-origin redirects followed at most this far; further is a loop for practical purposes. */
const maxRedirects = 5;
/** How long a second connection waits for the server to drop it on its own. */
export const acceptGraceMs = 500;

/**
 * GET the URL, timed like curl -w (dns, connect, tls, ttfb, total), following redirects that stay
 * on the same address. Every way an exchange can fail after the connection was accepted has its
 * own code: closed or reset at accept, closed or reset after the request, silence, bytes that are
 * not HTTP, TLS on a plain-HTTP URL, a body cut short, 4xx, 5xx, redirect loops, slow headers and
 * a slow body.
 */
export async function httpStep(t: Target, address: string, env: StepEnv): Promise<Finding[]> {
  let url = `${t.scheme}://${formatHostPort(t.host, t.port)}${t.path}`;
  const visited = [url];
  for (let hop = 0; ; hop++) {
    let r: Awaited<ReturnType<typeof httpProbe>>;
    try {
      r = await getOnce(t, address, url, env);
    } catch (error) {
      const failure = error instanceof NetFailure ? error : new NetFailure('other', (error as Error).message);
      env.note(`HTTP GET ${url} failed: ${failure.kind}${failure.phase ? ` (${failure.phase})` : ''}`);
      env.step(`HTTP GET ${url}`, { ok: false, detail: failure.message });
      return await explainFailure(t, address, url, failure, env);
    }
    const tm = r.timings;
    env.note(
      `HTTP GET ${url} → ${r.status} (connect ${tm.connect.toFixed(1)}ms${tm.tls !== undefined ? `, tls ${tm.tls.toFixed(1)}ms` : ''}, ttfb ${tm.ttfb.toFixed(1)}ms, total ${tm.total.toFixed(1)}ms)`,
    );
    const location = r.status >= 300 && r.status < 400 ? r.headers.location : undefined;
    if (location) {
      const next = new URL(location, url);
      // Only redirects that stay on the address the user named are followed: Portico probes
      // nothing else.
      if (next.origin === new URL(url).origin) {
        env.step(`HTTP GET ${url}`, { ok: true, detail: `${r.status} → ${next.href}` });
        if (visited.includes(next.href) || hop + 1 >= maxRedirects) {
          env.step('follow redirects', { ok: false, detail: `back to ${next.href}` });
          return [redirectLoop(url, [...visited, next.href], visited.includes(next.href))];
        }
        visited.push(next.href);
        url = next.href;
        continue;
      }
      env.note(`redirects to ${next.href}, another address: not followed`);
    }
    const findings = await confirmSlowness(judgeResponse(t, url, r, env), t, address, url, env);
    env.step(
      `HTTP GET ${url}`,
      findings.some((f) => f.severity !== 'info')
        ? { ok: false, detail: `status ${r.status}, ${findings.map((f) => f.code).join(', ')}` }
        : { ok: true, detail: `status ${r.status}` },
    );
    return findings;
  }
}

/** One GET of `url` on the address being diagnosed (certificates are judged by the TLS step). */
function getOnce(t: Target, address: string, url: string, env: StepEnv): ReturnType<typeof httpProbe> {
  return httpProbe({
    url,
    timeoutMs: env.timeoutMs,
    signal: env.signal,
    tlsVerify: false,
    connectTo: { host: address, port: t.port },
  });
}

const slowCodes = new Set(['HTTP_SLOW', 'HTTP_SLOW_BODY']);

/**
 * "Slow" must be a property of the service, not of one unlucky moment (a GC pause, a loaded
 * machine): a slow first answer is measured once more, and stays a finding only when the second
 * is slow too. Both samples are in the evidence either way.
 */
async function confirmSlowness(
  findings: Finding[],
  t: Target,
  address: string,
  url: string,
  env: StepEnv,
): Promise<Finding[]> {
  const slow = findings.find((f) => slowCodes.has(f.code));
  if (!slow) return findings;
  let again: Awaited<ReturnType<typeof httpProbe>>;
  try {
    again = await getOnce(t, address, url, env);
  } catch {
    return findings; // the second attempt failing does not make the first one fast
  }
  const tm = again.timings;
  const second = `second sample: ttfb ${tm.ttfb.toFixed(0)}ms, total ${tm.total.toFixed(0)}ms`;
  const stillSlow = slow.code === 'HTTP_SLOW' ? tm.ttfb > env.slowMs : tm.total - tm.ttfb > env.slowMs;
  if (stillSlow) return findings.map((f) => (f === slow ? { ...f, evidence: [...f.evidence, second] } : f));
  env.note(`${url}: first answer slow (${slow.evidence[0]}), ${second}: not consistently slow`);
  return findings.filter((f) => f !== slow);
}

function judgeResponse(
  t: Target,
  url: string,
  r: Awaited<ReturnType<typeof httpProbe>>,
  env: StepEnv,
): Finding[] {
  const tm = r.timings;
  const findings: Finding[] = [];
  const body = r.body.replace(/\s+/g, ' ').slice(0, 200) || '(empty)';
  if (r.status === 400 && /plain HTTP request was sent to HTTPS port/i.test(r.body)) {
    return [tlsPort(t, url, [`status 400: ${body}`])];
  }
  if (r.status >= 500) {
    findings.push({
      code: 'HTTP_5XX',
      severity: 'error',
      title: `${url} answered ${r.status}`,
      evidence: [
        `status ${r.status}`,
        `body: ${body}`,
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
  } else if (r.status >= 400) {
    findings.push({
      code: 'HTTP_4XX',
      severity: 'warning',
      title: `${url} answered ${r.status}`,
      evidence: [`status ${r.status}`, `body: ${body}`],
      why:
        r.status === 401 || r.status === 403
          ? 'The server is up and refuses this request without credentials: clients that send none fail the same way.'
          : 'The server is up but rejects this request: the path, the Host header or the method is not what it serves.',
      fix: 'Check the path and Host the clients use (and their credentials); the body above often says which.',
      data: { status: r.status },
    });
  }
  if (tm.ttfb > env.slowMs) {
    findings.push({
      code: 'HTTP_SLOW',
      severity: 'warning',
      title: `${url} took ${Math.round(tm.ttfb)}ms to send its headers`,
      evidence: [`time to first byte ${tm.ttfb.toFixed(0)}ms, total ${tm.total.toFixed(0)}ms`],
      why: 'Gateways and clients with short timeouts (often 1-5 s) will cut it off with 504s.',
      fix: 'Profile the slow endpoint, or raise the timeouts of what calls it.',
      data: { ttfbMs: Math.round(tm.ttfb) },
    });
  } else if (tm.total - tm.ttfb > env.slowMs) {
    findings.push(
      slowBody(url, `headers after ${tm.ttfb.toFixed(0)}ms, body done after ${tm.total.toFixed(0)}ms`),
    );
  }
  return findings;
}

async function explainFailure(
  t: Target,
  address: string,
  url: string,
  failure: NetFailure,
  env: StepEnv,
): Promise<Finding[]> {
  const where = formatHostPort(address, t.port);
  const evidence = [`GET ${url} (connected to ${where}) → ${failure.message}`];
  if (failure.phase === 'body') {
    if (failure.kind === 'timeout') return [{ ...slowBody(url, evidence[0]!), severity: 'error' }];
    return [
      {
        code: 'HTTP_BODY_CUT',
        severity: 'error',
        title: `${url}: the response started, then the connection was cut before the body ended`,
        evidence,
        why: 'Clients get a truncated response: broken downloads, JSON that does not parse, retries.',
        fix: 'Look at the server logs for a crash or a time limit while writing the response; check proxies in between.',
      },
    ];
  }
  if (failure.phase === 'request' && failure.kind === 'timeout') {
    return [
      {
        code: 'HTTP_NO_RESPONSE',
        severity: 'error',
        title: `${url}: the server accepted the connection and never answered`,
        evidence: [...evidence, `no byte came back within ${env.timeoutMs}ms`],
        why: 'This is not a slow answer: nothing came back at all. Clients hang until their own timeout; the process may be stuck, or the port belongs to something that never speaks HTTP.',
        fix: `Check what the process on port ${t.port} is doing (portico ports who ${t.port}, its logs, a thread dump).`,
      },
    ];
  }
  if (failure.kind === 'protocol_error') {
    const received = failure.received;
    if (
      t.scheme === 'http' &&
      received &&
      (received[0] === 0x15 || received[0] === 0x16) &&
      received[1] === 0x03
    )
      return [tlsPort(t, url, [...evidence, `the answer is a TLS record: ${printable(received)}`])];
    return [
      {
        code: 'HTTP_NOT_HTTP',
        severity: 'error',
        title: `${url}: the server answered with something that is not HTTP`,
        evidence: [...evidence, ...(received ? [`first bytes: ${printable(received)}`] : [])],
        why: 'HTTP clients cannot parse the answer: the port belongs to another protocol (a database, SSH, a custom protocol) or the server is broken.',
        fix: `Check which protocol port ${t.port} speaks (portico ports who ${t.port}) and point the client at the HTTP port.`,
      },
    ];
  }
  // A RST right at accept can reach this client before its own connect callback: phase connect.
  const early = failure.phase === 'request' || failure.phase === 'connect';
  if (early && (failure.kind === 'closed' || failure.kind === 'reset')) {
    // Did it drop us before we even asked? A second connection, sending nothing, tells.
    const dropped = await dropsAtAccept(t, address, evidence, env);
    if (dropped) return [dropped];
    if (t.scheme === 'http' && (await speaksTls(address, t.port, env)))
      return [tlsPort(t, url, [...evidence, `a TLS handshake with ${where} succeeds`])];
    const closed = failure.kind === 'closed';
    return [
      {
        code: closed ? 'HTTP_CLOSED_NO_RESPONSE' : 'HTTP_RESET_AFTER_REQUEST',
        severity: 'error',
        title: `${url}: the server read the request and ${closed ? 'closed' : 'reset'} the connection without answering`,
        evidence: [...evidence, `a connection that sends nothing stays open ${acceptGraceMs}ms`],
        why: closed
          ? 'The server accepts connections but ends them (FIN) instead of answering: the handler returns without a response, or the port speaks another protocol. Every request fails.'
          : 'The server accepts connections and resets them (RST) once the request arrives: the handler crashes, or a proxy rejects the request. Every request fails.',
        fix: `Look at the logs of the process on port ${t.port} at the moment of the request; check it expects HTTP${t.scheme === 'https' ? ' over TLS' : ''}.`,
      },
    ];
  }
  // Anything else is still a failed step: the runner turns it into CHECK_STEP_FAILED.
  return [];
}

/**
 * A second connection that sends nothing for `acceptGraceMs`: does the server drop it at
 * accept? Recorded as a step; the finding when it does.
 */
export async function dropsAtAccept(
  t: Target,
  address: string,
  evidence: string[],
  env: Pick<StepEnv, 'signal' | 'step'>,
): Promise<Finding | undefined> {
  const atAccept = await closesAtAccept({
    host: address,
    port: t.port,
    graceMs: acceptGraceMs,
    signal: env.signal,
  });
  env.step('stay connected without sending', atAccept ? { ok: false, detail: atAccept } : { ok: true });
  return atAccept ? droppedAtAccept(t, formatHostPort(address, t.port), atAccept, evidence) : undefined;
}

export function droppedAtAccept(
  t: Target,
  where: string,
  how: 'closed' | 'reset',
  evidence: string[],
): Finding {
  return {
    code: how === 'reset' ? 'CONN_RESET' : 'CONN_CLOSED',
    severity: 'error',
    title: `${t.input}: ${where} accepts connections and ${how === 'reset' ? 'resets' : 'closes'} them at once`,
    evidence: [
      ...evidence,
      `a connection that sends nothing is ${how === 'reset' ? 'reset (RST)' : 'closed (FIN)'} within ${acceptGraceMs}ms`,
    ],
    why: 'The port is open but nothing serves it: a connection limit or access rule (tcpwrappers, max connections), a process shutting down, or a forwarder (a published container port) with nothing behind it.',
    fix: `Check the server's connection limits and access rules and its logs; for a container port, check the app inside listens on 0.0.0.0 (portico troubleshoot docker).`,
    data: { at: 'accept', how },
  };
}

function tlsPort(t: Target, url: string, evidence: string[]): Finding {
  return {
    code: 'HTTP_TLS_PORT',
    severity: 'error',
    title: `${url} is a plain-HTTP URL, but port ${t.port} speaks TLS`,
    evidence,
    why: 'A TLS server cannot read a plain request: it answers with an error or drops the connection.',
    fix: `Use https://${formatHostPort(t.host, t.port)}${t.path}, or the port where plain HTTP is served.`,
  };
}

function slowBody(url: string, seen: string): Finding {
  return {
    code: 'HTTP_SLOW_BODY',
    severity: 'warning',
    title: `${url}: the headers came in time, the body took long`,
    evidence: [seen],
    why: 'The response trickles: clients with a total-time limit fail, and the connection stays busy.',
    fix: 'Look for a slow data source or late flushes behind the endpoint; check buffering proxies.',
  };
}

function redirectLoop(url: string, chain: string[], loop: boolean): Finding {
  return {
    code: 'HTTP_REDIRECT_LOOP',
    severity: 'error',
    title: loop ? `${url} redirects in a loop` : `${url} redirects more than ${maxRedirects} times`,
    evidence: [chain.join(' → ')],
    why: 'Browsers stop with "too many redirects" and API clients never reach the resource.',
    fix: 'Fix the redirect rules: often an http→https or trailing-slash rule that a proxy in front undoes (X-Forwarded-Proto not trusted).',
  };
}

async function speaksTls(address: string, port: number, env: StepEnv): Promise<boolean> {
  try {
    await tlsHandshake({ host: address, port, timeoutMs: Math.min(env.timeoutMs, 2000), signal: env.signal });
    return true;
  } catch {
    return false;
  }
}
