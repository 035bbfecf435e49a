import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateDevCa } from '../../src/balancer/tls/dev-ca.js';
import { Facts } from '../../src/diagnose/facts.js';
import type { CheckOutcome } from '../../src/diagnose/finding.js';
import { runChecks } from '../../src/diagnose/runner.js';
import { type ConnectivityOptions, connectivityChecks } from '../../src/diagnose/suites/connectivity.js';
import { createCertificateAuthority, issueCertificate } from '../../src/tls/certificates.js';
import { startDnsResponder } from '../helpers/dns-responder.js';
import { httpFaultServer, socketFaultServer, tlsServer } from '../helpers/fault-servers.js';
import { freePort } from '../helpers/net.js';
import { holdIPv6OnlyPort } from '../helpers/port-holder.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The connectivity fault lab on loopback: one server per failure class, each class with its own
 * finding code, and the healthy case that passes. Checks run in-process through the real runner,
 * with short step timeouts so every case is bounded.
 */
async function diagnose(
  target: string,
  options: ConnectivityOptions = {},
  env: NodeJS.ProcessEnv = { PORTICO_HOME: tempDir() },
): Promise<CheckOutcome> {
  const cwd = tempDir();
  const facts = new Facts({ cwd, env });
  const checks = await connectivityChecks(target, facts, { timeoutMs: 1500, slowMs: 300, ...options });
  const [outcome] = await runChecks(checks, { cwd, env, facts, signal: new AbortController().signal });
  return outcome!;
}
const codes = (o: CheckOutcome): string[] => o.findings.map((f) => f.code);
const day = 86_400_000;

describe('fault lab: the healthy case', () => {
  it('passes a healthy HTTP server, with every step it ran succeeded', async () => {
    const port = await socketFaultServer('healthy');
    const o = await diagnose(`http://127.0.0.1:${port}/`);
    expect(o.status, JSON.stringify(o)).toBe('passed');
    expect(o.steps!.length).toBeGreaterThanOrEqual(3);
    expect(o.steps!.every((s) => s.ok)).toBe(true);
  });
});

describe('fault lab: the connection is accepted, then…', () => {
  it.each([
    ['reset at accept (RST)', 'CONN_RESET', 'rst-at-accept'],
    ['closed at accept (FIN, no answer)', 'CONN_CLOSED', 'fin-at-accept'],
    ['closed after reading the request (FIN)', 'HTTP_CLOSED_NO_RESPONSE', 'fin-after-request'],
    ['reset after reading the request (RST)', 'HTTP_RESET_AFTER_REQUEST', 'rst-after-request'],
    ['silent: accepts and never answers', 'HTTP_NO_RESPONSE', 'silent'],
    ['garbage instead of HTTP', 'HTTP_NOT_HTTP', 'garbage'],
    ['an answer, then RST in the middle of the body', 'HTTP_BODY_CUT', 'rst-mid-body'],
    ['an answer, then FIN before the announced length', 'HTTP_BODY_CUT', 'fin-mid-body'],
  ] as const)('%s → %s', async (_what, code, fault) => {
    const port = await socketFaultServer(fault);
    const o = await diagnose(`http://127.0.0.1:${port}/`, { timeoutMs: 1000 });
    expect(codes(o), JSON.stringify(o.notes)).toEqual([code]);
    expect(o.status).toBe('findings');
    expect(o.steps!.some((s) => !s.ok)).toBe(true);
  });
});

describe('fault lab: HTTP answers', () => {
  it.each([
    ['a 4xx status', 'HTTP_4XX', 'status-404', '/'],
    ['a 5xx status', 'HTTP_5XX', 'status-503', '/'],
    ['a redirect loop', 'HTTP_REDIRECT_LOOP', 'redirect-loop', '/a'],
    ['slow headers', 'HTTP_SLOW', 'slow-headers', '/'],
    ['a slow body', 'HTTP_SLOW_BODY', 'slow-body', '/'],
  ] as const)('%s → %s', async (_what, code, fault, path) => {
    const port = await httpFaultServer(fault, 700);
    const o = await diagnose(`http://127.0.0.1:${port}${path}`, { slowMs: 300 });
    expect(codes(o), JSON.stringify(o.notes)).toEqual([code]);
    expect(o.status).toBe('findings');
  });

  it('a service slow only once (first answer late, second in time) is not reported slow', async () => {
    const port = await httpFaultServer('slow-once', 700);
    const o = await diagnose(`http://127.0.0.1:${port}/`, { slowMs: 300 });
    expect(codes(o), JSON.stringify(o.notes)).toEqual([]);
    expect(o.status).toBe('passed');
    expect(o.notes.join('\n')).toMatch(/not consistently slow/);
  });

  it('a slow finding carries both samples as evidence', async () => {
    const port = await httpFaultServer('slow-headers', 700);
    const o = await diagnose(`http://127.0.0.1:${port}/`, { slowMs: 300 });
    expect(o.findings[0]?.evidence.some((e) => e.startsWith('second sample'))).toBe(true);
  });

  it('follows a same-address redirect to a page that answers, and passes', async () => {
    const port = await httpFaultServer('redirect-loop');
    // /c redirects to /a, which redirects to /b, then back to /a: a loop. /x → /a → /b → /a too.
    const o = await diagnose(`http://127.0.0.1:${port}/x`);
    expect(codes(o)).toEqual(['HTTP_REDIRECT_LOOP']);
    expect(o.findings[0]!.evidence[0]).toMatch(/\/x → .*\/a → .*\/b → .*\/a$/);
  });
});

describe('fault lab: a bare host:port (no protocol to speak)', () => {
  it('passes a server that keeps the connection open, with the hold as a step', async () => {
    const port = await socketFaultServer('silent');
    const o = await diagnose(`127.0.0.1:${port}`);
    expect(o.status, JSON.stringify(o)).toBe('passed');
    expect(o.steps!.map((s) => s.name)).toContain('stay connected without sending');
  });

  it.each([
    ['fin-at-accept', 'CONN_CLOSED'],
    ['rst-at-accept', 'CONN_RESET'],
  ] as const)('a server that does %s → %s, not "connected"', async (fault, code) => {
    const port = await socketFaultServer(fault);
    const o = await diagnose(`127.0.0.1:${port}`);
    expect(o.status).toBe('findings');
    expect(codes(o)).toEqual([code]);
  });
});

describe('fault lab: TLS and plain mixed up, both ways', () => {
  it('an https:// URL on a plain-HTTP port → TLS_PLAIN_PORT', async () => {
    const port = await socketFaultServer('healthy');
    const o = await diagnose(`https://127.0.0.1:${port}/`);
    expect(codes(o), JSON.stringify(o.notes)).toEqual(['TLS_PLAIN_PORT']);
  });

  it('an https:// URL on a Node HTTP server (which answers the ClientHello with a 400) → TLS_PLAIN_PORT', async () => {
    const port = await httpFaultServer('healthy');
    const o = await diagnose(`https://127.0.0.1:${port}/`);
    expect(codes(o), JSON.stringify(o.notes)).toEqual(['TLS_PLAIN_PORT']);
  });

  it('an https:// URL on a port that resets at accept → CONN_RESET, not a TLS problem', async () => {
    const port = await socketFaultServer('rst-at-accept');
    expect(codes(await diagnose(`https://127.0.0.1:${port}/`))).toEqual(['CONN_RESET']);
  });

  it('an http:// URL on a TLS port → HTTP_TLS_PORT', async () => {
    const cert = await issueCertificate({ names: ['localhost', '127.0.0.1'] });
    const port = await tlsServer(cert);
    const o = await diagnose(`http://127.0.0.1:${port}/`);
    expect(codes(o), JSON.stringify(o.notes)).toEqual(['HTTP_TLS_PORT']);
  });
});

describe('fault lab: certificates', () => {
  it('a certificate from a CA this client does not trust → TLS_UNTRUSTED', async () => {
    const ca = await createCertificateAuthority('Fault Lab CA');
    const port = await tlsServer(await issueCertificate({ names: ['localhost'], ca }));
    expect(codes(await diagnose(`https://localhost:${port}/`))).toEqual(['TLS_UNTRUSTED']);
  });

  it('a certificate for another name (the server ignores the SNI asked for) → TLS_NAME_MISMATCH', async () => {
    const port = await tlsServer(await issueCertificate({ names: ['other.example.test'] }));
    expect(codes(await diagnose(`https://localhost:${port}/`))).toContain('TLS_NAME_MISMATCH');
  });

  it('a server that rejects the SNI name → TLS_HANDSHAKE_FAILED', async () => {
    const port = await tlsServer(await issueCertificate({ names: ['localhost'] }), { rejectSni: true });
    expect(codes(await diagnose(`https://localhost:${port}/`))).toEqual(['TLS_HANDSHAKE_FAILED']);
  });

  it('expired → TLS_EXPIRED, not yet valid → TLS_NOT_YET_VALID', async () => {
    const expired = await tlsServer(
      await issueCertificate({
        names: ['localhost'],
        notBefore: new Date(Date.now() - 30 * day),
        notAfter: new Date(Date.now() - day),
      }),
    );
    const future = await tlsServer(
      await issueCertificate({
        names: ['localhost'],
        notBefore: new Date(Date.now() + day),
        notAfter: new Date(Date.now() + 300 * day),
      }),
    );
    expect(codes(await diagnose(`https://localhost:${expired}/`))).toEqual(['TLS_EXPIRED']);
    expect(codes(await diagnose(`https://localhost:${future}/`))).toEqual(['TLS_NOT_YET_VALID']);
  });

  it("self-signed → TLS_SELF_SIGNED; signed by Portico's dev CA → TLS_DEV_CA with how to trust it", async () => {
    const selfSigned = await tlsServer(await issueCertificate({ names: ['localhost'] }));
    expect(codes(await diagnose(`https://localhost:${selfSigned}/`))).toEqual(['TLS_SELF_SIGNED']);

    const home = tempDir();
    const ca = await loadOrCreateDevCa({ PORTICO_HOME: home });
    const leaf = await issueCertificate({ names: ['localhost'], ca });
    // Served with the CA in the chain, as portico lb does: OpenSSL says SELF_SIGNED_CERT_IN_CHAIN.
    const port = await tlsServer({ certPem: leaf.certPem + ca.certPem, keyPem: leaf.keyPem });
    const o = await diagnose(`https://localhost:${port}/`, {}, { PORTICO_HOME: home });
    expect(codes(o)).toEqual(['TLS_DEV_CA']);
    const f = o.findings[0]!;
    expect(f.title).toContain("Portico's development CA");
    expect(f.title).not.toContain('self-signed');
    expect(f.fix).toContain(ca.certPath);
    expect(f.evidence.join(' ')).toContain('SELF_SIGNED_CERT_IN_CHAIN');
  });
});

describe('fault lab: names and families', () => {
  it('localhost resolving to 127.0.0.1 while the server listens on ::1 only → LOCALHOST_IPV6_MISMATCH', async () => {
    const held = await holdIPv6OnlyPort();
    const o = await diagnose(`http://localhost:${held.port}/`);
    expect(codes(o)).toEqual(['LOCALHOST_IPV6_MISMATCH']);
  });

  it('NXDOMAIN → DNS_NOT_FOUND, SERVFAIL → DNS_SERVFAIL, no answer → DNS_TIMEOUT', async () => {
    const server = await startDnsResponder('127.0.0.1');
    const dnsServers = [server];
    const [nx, fail, mute] = await Promise.all(
      ['nx.fault.test', 'fail.fault.test', 'mute.fault.test'].map((name) =>
        diagnose(`http://${name}:80/`, { dnsServers, timeoutMs: 800 }),
      ),
    );
    expect(codes(nx!)).toEqual(['DNS_NOT_FOUND']);
    expect(codes(fail!)).toEqual(['DNS_SERVFAIL']);
    expect(codes(mute!)).toEqual(['DNS_TIMEOUT']);
  });

  it('a name the DNS server answers resolves and passes', async () => {
    const server = await startDnsResponder('127.0.0.1');
    const port = await socketFaultServer('healthy');
    const o = await diagnose(`http://app.fault.test:${port}/`, { dnsServers: [server] });
    expect(o.status, JSON.stringify(o)).toBe('passed');
  });

  it('a name only the hosts file knows gets a DNS_HOSTS_FILE_ONLY note, and still connects', async () => {
    const hostsFile = join(tempDir(), 'hosts');
    writeFileSync(hostsFile, '127.0.0.1 localhost\n127.0.0.1 billing.internal.test\n');
    const dns = await startDnsResponder('127.0.0.1');
    const port = await socketFaultServer('healthy');
    const o = await diagnose(`http://billing.internal.test:${port}/`, { hostsFile, dnsServers: [dns] });
    expect(codes(o)).toEqual(['DNS_HOSTS_FILE_ONLY']);
    expect(o.findings[0]!.severity).toBe('info');
    expect(o.steps!.every((s) => s.ok)).toBe(true);
  });

  it('a closed port → CONN_REFUSED', async () => {
    const port = await freePort();
    expect(codes(await diagnose(`http://127.0.0.1:${port}/`))).toEqual(['CONN_REFUSED']);
  });
});
