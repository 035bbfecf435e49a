import { formatHostPort } from '../../core/address.js';
import { NetFailure } from '../../net/failure.js';
import { tlsHandshake } from '../../net/tls.js';
import type { Finding } from '../finding.js';
import { ms } from './dns-step.js';
import { isLiteral, type Target } from './target.js';

/** Handshake and judge the certificate: expired, not yet valid, self-signed, untrusted, wrong name, expiring. */
export async function tlsStep(
  t: Target,
  address: string,
  timeoutMs: number,
  signal: AbortSignal,
  note: (s: string) => void,
): Promise<Finding[]> {
  const started = performance.now();
  const serverName = isLiteral(t.host) ? undefined : t.host;
  let r: Awaited<ReturnType<typeof tlsHandshake>>;
  try {
    r = await tlsHandshake({
      host: address,
      port: t.port,
      ...(serverName ? { serverName } : {}),
      timeoutMs,
      signal,
    });
  } catch (error) {
    note(`TLS ${formatHostPort(address, t.port)} failed (${ms(started)})`);
    return [
      {
        code: 'TLS_HANDSHAKE_FAILED',
        severity: 'error',
        title: `TLS handshake with ${formatHostPort(address, t.port)} failed`,
        evidence: [(error as Error).message],
        why: 'No HTTPS client can talk to this server: the port may not speak TLS at all, or the versions and ciphers do not match.',
        fix: `Check that ${t.port} is the TLS port (plain HTTP on a TLS port fails like this) and compare with: openssl s_client -connect ${formatHostPort(t.host, t.port)}${serverName ? ` -servername ${serverName}` : ''}`,
        data: { kind: error instanceof NetFailure ? error.kind : 'other' },
      },
    ];
  }
  const cert = r.certificate;
  note(
    `TLS ${r.protocol} ${r.cipher} in ${r.handshakeMs.toFixed(1)}ms${cert ? `; certificate ${cert.subject}, issuer ${cert.issuer}, until ${cert.validTo.slice(0, 10)}` : ''}`,
  );
  if (!cert) return [];
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
      title: `the certificate of ${t.host}:${t.port} is not valid yet`,
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
  const selfSigned = cert.selfSigned || /SELF_SIGNED/.test(r.verifyError ?? '');
  if (!r.trusted && !cert.expired && !r.nameMismatch) {
    findings.push({
      code: selfSigned ? 'TLS_SELF_SIGNED' : 'TLS_UNTRUSTED',
      severity: 'error',
      title: selfSigned
        ? `${t.host}:${t.port} presents a self-signed certificate`
        : `the certificate of ${t.host}:${t.port} is not trusted (${r.verifyError})`,
      evidence: [...evidence, `verification: ${r.verifyError}`],
      why: 'Clients that verify certificates (the default everywhere) refuse it; disabling verification to work around it removes the protection TLS gives.',
      fix: selfSigned
        ? 'Use a certificate from a trusted CA, or distribute the issuing CA to clients (for development: portico lb ca shows how).'
        : 'Serve the full chain (leaf + intermediates) and make sure clients trust the root.',
    });
  }
  if (!cert.expired && cert.daysLeft <= 14) {
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
