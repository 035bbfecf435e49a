import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatHostPort } from '../../core/address.js';
import { stateDir } from '../../core/paths.js';
import { closesAtAccept } from '../../net/early-close.js';
import { NetFailure } from '../../net/failure.js';
import { httpProbe } from '../../net/http.js';
import { type TlsHandshakeResult, tlsHandshake } from '../../net/tls.js';
import type { Finding } from '../finding.js';
import { ms } from './dns-step.js';
import { acceptGraceMs, droppedAtAccept, type StepEnv } from './http-step.js';
import { isLiteral, type Target } from './target.js';

export interface TlsOutcome {
  /** The handshake completed (whatever the certificate's faults): HTTP can follow. */
  handshake: boolean;
  findings: Finding[];
}

/**
 * Handshake and judge the certificate: expired, not yet valid, self-signed, signed by Portico's
 * dev CA, untrusted, wrong name, expiring. A failed handshake is explained: the port speaks plain
 * HTTP, or drops connections at accept, or the TLS versions do not match.
 */
export async function tlsStep(
  t: Target,
  address: string,
  env: StepEnv & { env: NodeJS.ProcessEnv },
): Promise<TlsOutcome> {
  const started = performance.now();
  const serverName = isLiteral(t.host) ? undefined : t.host;
  const where = formatHostPort(address, t.port);
  let r: TlsHandshakeResult;
  try {
    r = await tlsHandshake({
      host: address,
      port: t.port,
      ...(serverName ? { serverName } : {}),
      timeoutMs: env.timeoutMs,
      signal: env.signal,
    });
  } catch (error) {
    const message = (error as Error).message;
    env.note(`TLS ${where} failed (${ms(started)})`);
    env.step(`TLS handshake with ${where}`, { ok: false, detail: message });
    return { handshake: false, findings: [await explainHandshake(t, address, message, error, env)] };
  }
  const cert = r.certificate;
  note(env, r);
  if (!cert) {
    env.step(`TLS handshake with ${where}`, { ok: false, detail: 'no certificate' });
    return { handshake: true, findings: [] };
  }
  const findings = judgeCertificate(t, r, serverName, env.env);
  env.step(
    `TLS handshake with ${where}`,
    findings.some((f) => f.severity !== 'info')
      ? { ok: false, detail: findings.map((f) => f.code).join(', ') }
      : { ok: true, detail: r.protocol },
  );
  return { handshake: true, findings };
}

function note(env: StepEnv, r: TlsHandshakeResult): void {
  const cert = r.certificate;
  env.note(
    `TLS ${r.protocol} ${r.cipher} in ${r.handshakeMs.toFixed(1)}ms${cert ? `; certificate ${cert.subject}, issuer ${cert.issuer}, until ${cert.validTo.slice(0, 10)}` : ''}`,
  );
}

async function explainHandshake(
  t: Target,
  address: string,
  message: string,
  error: unknown,
  env: StepEnv,
): Promise<Finding> {
  const where = formatHostPort(address, t.port);
  const kind = error instanceof NetFailure ? error.kind : 'other';
  if (kind === 'reset' || kind === 'closed' || kind === 'other') {
    const atAccept = await closesAtAccept({
      host: address,
      port: t.port,
      graceMs: acceptGraceMs,
      signal: env.signal,
    });
    if (atAccept) return droppedAtAccept(t, where, atAccept, [`TLS handshake → ${message}`]);
  }
  // Does the port answer a plain request? Then the URL's scheme is wrong, not the server.
  const plain = await httpProbe({
    url: `http://${formatHostPort(t.host, t.port)}${t.path}`,
    connectTo: { host: address, port: t.port },
    timeoutMs: Math.min(env.timeoutMs, 2000),
    signal: env.signal,
  }).catch(() => undefined);
  if (plain) {
    return {
      code: 'TLS_PLAIN_PORT',
      severity: 'error',
      title: `https://${formatHostPort(t.host, t.port)} is an HTTPS URL, but port ${t.port} speaks plain HTTP`,
      evidence: [
        `TLS handshake → ${message}`,
        `a plain GET ${t.path} on ${where} is answered ${plain.status}`,
      ],
      why: 'The server does not speak TLS on this port: every HTTPS client fails the handshake.',
      fix: `Use http://${formatHostPort(t.host, t.port)}${t.path}, or the port where the server terminates TLS.`,
      data: { plainStatus: plain.status },
    };
  }
  const serverName = isLiteral(t.host) ? undefined : t.host;
  return {
    code: 'TLS_HANDSHAKE_FAILED',
    severity: 'error',
    title: `TLS handshake with ${where} failed`,
    evidence: [message],
    why: 'No HTTPS client can talk to this server: the TLS versions or ciphers do not match, or the server rejects the name asked for (SNI).',
    fix: `Compare with: openssl s_client -connect ${formatHostPort(t.host, t.port)}${serverName ? ` -servername ${serverName}` : ''}`,
    data: { kind },
  };
}

function judgeCertificate(
  t: Target,
  r: TlsHandshakeResult,
  serverName: string | undefined,
  env: NodeJS.ProcessEnv,
): Finding[] {
  const cert = r.certificate!;
  const evidence = [
    `subject ${cert.subject}; names ${cert.altNames.join(', ') || '(none)'}`,
    `issuer ${cert.issuer}`,
    `valid ${cert.validFrom.slice(0, 10)} → ${cert.validTo.slice(0, 10)}`,
  ];
  const findings: Finding[] = [];
  if (cert.expired) {
    findings.push({
      code: 'TLS_EXPIRED',
      severity: 'error',
      title: `the certificate of ${t.host}:${t.port} expired ${-cert.daysLeft} day(s) ago`,
      evidence,
      why: 'Every client that verifies certificates refuses the connection.',
      fix: 'Renew the certificate (certbot renew, your CA) and reload the server; automate renewal.',
    });
  } else if (cert.notYetValid) {
    findings.push({
      code: 'TLS_NOT_YET_VALID',
      severity: 'error',
      title: `the certificate of ${t.host}:${t.port} is not valid yet (from ${cert.validFrom.slice(0, 10)})`,
      evidence,
      why: 'Clients reject it until its start date; often a clock problem.',
      fix: 'Check the server and client clocks (timedatectl) or reissue the certificate.',
    });
  }
  if (serverName && r.nameMismatch) {
    findings.push({
      code: 'TLS_NAME_MISMATCH',
      severity: 'error',
      title: `the certificate of ${t.host}:${t.port} is not for "${serverName}"`,
      evidence: [...evidence, r.nameMismatch],
      why: 'Clients refuse a certificate issued for another name: the server presents the wrong certificate (default vhost, missing SNI configuration).',
      fix: `Issue a certificate that names ${serverName}, or configure the server to present it for that name (SNI).`,
    });
  }
  if (!r.trusted && !cert.expired && !cert.notYetValid && !r.nameMismatch) {
    findings.push(untrusted(t, r, evidence, env));
  }
  if (!cert.expired && !cert.notYetValid && cert.daysLeft <= 14) {
    findings.push({
      code: 'TLS_EXPIRING',
      severity: 'warning',
      title: `the certificate of ${t.host}:${t.port} expires in ${cert.daysLeft} day(s)`,
      evidence,
      why: 'When it expires every verifying client fails at once.',
      fix: 'Renew it now and automate renewal.',
    });
  }
  return findings;
}

function untrusted(t: Target, r: TlsHandshakeResult, evidence: string[], env: NodeJS.ProcessEnv): Finding {
  const cert = r.certificate!;
  const verification = `verification: ${r.verifyError}`;
  const devCa = devCaPath(r.chain, env);
  if (devCa) {
    return {
      code: 'TLS_DEV_CA',
      severity: 'error',
      title: `the certificate of ${t.host}:${t.port} is signed by Portico's development CA, which this client does not trust`,
      evidence: [...evidence, verification, `issued by the dev CA at ${devCa}`],
      why: 'Portico (portico lb) issues development certificates from its own CA; clients refuse them until that CA is trusted where they run.',
      fix: `Trust it with: NODE_EXTRA_CA_CERTS=${devCa} (Node), curl --cacert ${devCa}, or system-wide as portico lb ca shows.`,
      data: { caPath: devCa },
    };
  }
  // Only a leaf that signed itself is self-signed; SELF_SIGNED_CERT_IN_CHAIN is a chain ending in
  // an untrusted root.
  const selfSigned =
    r.verifyError === 'DEPTH_ZERO_SELF_SIGNED_CERT' || (cert.selfSigned && r.chain.length <= 1);
  return {
    code: selfSigned ? 'TLS_SELF_SIGNED' : 'TLS_UNTRUSTED',
    severity: 'error',
    title: selfSigned
      ? `${t.host}:${t.port} presents a self-signed certificate`
      : `the certificate of ${t.host}:${t.port} is not trusted (${r.verifyError})`,
    evidence: [...evidence, verification],
    why: 'Clients that verify certificates (the default everywhere) refuse it; disabling verification to work around it removes the protection TLS gives.',
    fix: selfSigned
      ? 'Use a certificate from a trusted CA, or distribute the issuing CA to clients (for development: portico lb ca shows how).'
      : 'Serve the full chain (leaf + intermediates) and make sure clients trust the root.',
  };
}

/** The dev CA's path when one certificate of the chain is, or was issued by, Portico's dev CA in the state dir. */
function devCaPath(chain: Buffer[], env: NodeJS.ProcessEnv): string | undefined {
  const path = join(stateDir(env), 'ca', 'portico-dev-ca.crt');
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(readFileSync(path));
  } catch {
    return undefined;
  }
  for (const der of chain) {
    try {
      const c = new X509Certificate(der);
      if (c.fingerprint256 === ca.fingerprint256) return path;
      if (c.checkIssued(ca) && c.verify(ca.publicKey)) return path;
    } catch {}
  }
  return undefined;
}
