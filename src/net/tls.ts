import { isIP } from 'node:net';
import { checkServerIdentity, connect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { formatHostPort } from '../core/address.js';
import { NetFailure, toNetFailure } from './failure.js';
import { observeStep } from './steps.js';

export interface CertificateFacts {
  subject: string;
  issuer: string;
  /** DNS and IP subject alternative names. */
  altNames: string[];
  validFrom: string;
  validTo: string;
  daysLeft: number;
  expired: boolean;
  notYetValid: boolean;
  selfSigned: boolean;
  fingerprint256: string;
}

export interface TlsHandshakeResult {
  handshakeMs: number;
  protocol: string;
  cipher: string;
  alpn: string | false;
  certificate?: CertificateFacts;
  /** Whether the chain verified against the trusted CAs (node's default store). */
  trusted: boolean;
  /** OpenSSL's verify code when not trusted (e.g. DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED). */
  verifyError?: string;
  /** Why the certificate does not match the server name, if it doesn't. */
  nameMismatch?: string;
  /** The certificates the server sent (DER), leaf first. */
  chain: Buffer[];
}

export interface TlsHandshakeOptions {
  host: string;
  port: number;
  /** SNI and the name the certificate must match (defaults to host unless it is an IP). */
  serverName?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  ca?: string | Buffer;
  alpn?: string[];
}

/**
 * Complete a TLS handshake without rejecting bad certificates, so the caller sees exactly what
 * is wrong (expired, self-signed, wrong name) instead of a generic handshake error.
 */
export async function tlsHandshake(options: TlsHandshakeOptions): Promise<TlsHandshakeResult> {
  const target = formatHostPort(options.host, options.port);
  // Never an IP address as SNI: RFC 6066 forbids it, and Node prints DEP0123 on stderr.
  const wanted = options.serverName ?? options.host;
  const serverName = isIP(wanted) ? undefined : wanted;
  const started = performance.now();
  return await new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({
      host: options.host,
      port: options.port,
      servername: serverName ?? '',
      rejectUnauthorized: false,
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
    });
    const fail = (error: unknown): void => {
      cleanup();
      socket.destroy();
      reject(toNetFailure(error, target));
    };
    const timer = setTimeout(
      () =>
        fail(
          new NetFailure(
            'timeout',
            `TLS handshake with ${target} did not finish within ${options.timeoutMs}ms`,
            'ETIMEDOUT',
          ),
        ),
      options.timeoutMs,
    );
    const onAbort = (): void => fail(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      cleanup();
      socket.off('error', fail);
      const peer = socket.getPeerCertificate(true);
      const result: TlsHandshakeResult = {
        handshakeMs: performance.now() - started,
        protocol: socket.getProtocol() ?? '',
        cipher: socket.getCipher()?.name ?? '',
        alpn: socket.alpnProtocol ?? false,
        trusted: socket.authorized,
        chain: chainOf(peer),
      };
      if (!socket.authorized && socket.authorizationError)
        result.verifyError = String(socket.authorizationError);
      if (peer && Object.keys(peer).length > 0) {
        result.certificate = certificateFacts(peer);
        if (serverName) {
          const mismatch = checkServerIdentity(serverName, peer);
          if (mismatch) result.nameMismatch = mismatch.message;
        }
      }
      socket.end();
      observeStep(`TLS handshake ${target}`, result.protocol);
      resolve(result);
    });
  });
}

function chainOf(peer: DetailedPeerCertificate | undefined): Buffer[] {
  const chain: Buffer[] = [];
  for (let c = peer; c?.raw && chain.length < 10; c = c.issuerCertificate) {
    chain.push(c.raw);
    if (c.issuerCertificate === c) break;
  }
  return chain;
}

export function certificateFacts(cert: DetailedPeerCertificate, now = Date.now()): CertificateFacts {
  const validTo = Date.parse(cert.valid_to);
  const validFrom = Date.parse(cert.valid_from);
  const name = (x: Record<string, unknown> | undefined): string =>
    x
      ? Object.entries(x)
          .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
          .join(', ')
      : '';
  const subject = name(cert.subject as unknown as Record<string, unknown>);
  const issuer = name(cert.issuer as unknown as Record<string, unknown>);
  return {
    subject,
    issuer,
    altNames: (cert.subjectaltname ?? '')
      .split(',')
      .map((s) => s.trim().replace(/^(DNS|IP Address):/, ''))
      .filter(Boolean),
    validFrom: new Date(validFrom).toISOString(),
    validTo: new Date(validTo).toISOString(),
    daysLeft: Math.floor((validTo - now) / 86_400_000),
    expired: validTo < now,
    notYetValid: validFrom > now,
    // Same subject and issuer names is what OpenSSL reports as DEPTH_ZERO_SELF_SIGNED_CERT.
    selfSigned: subject === issuer || cert.fingerprint256 === cert.issuerCertificate?.fingerprint256,
    fingerprint256: cert.fingerprint256,
  };
}
