import { createSecureContext, type SecureContext } from 'node:tls';
import { issueCertificate, type PemPair } from '../../tls/certificates.js';

/**
 * Certificates on demand: the first TLS handshake for a name mints a certificate signed by the
 * development CA; later ones reuse it. Only names the balancer serves are signed (route hosts,
 * localhost names and loopback addresses), so a client cannot make it mint arbitrary names.
 */
export class SniCertificates {
  private readonly cache = new Map<string, Promise<SecureContext>>();

  constructor(
    private readonly ca: PemPair,
    private readonly allowed: (name: string) => boolean,
  ) {}

  readonly callback = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => {
    const name = (servername || 'localhost').toLowerCase();
    if (!this.allowed(name)) {
      cb(new Error(`no certificate for ${name}`));
      return;
    }
    let ctx = this.cache.get(name);
    if (!ctx) {
      ctx = issueCertificate({ names: [name], ca: this.ca }).then((c) =>
        createSecureContext({ cert: `${c.certPem}${this.ca.certPem}`, key: c.keyPem }),
      );
      if (this.cache.size >= 1000) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(name, ctx);
    }
    ctx.then(
      (c) => cb(null, c),
      (e: Error) => {
        this.cache.delete(name);
        cb(e);
      },
    );
  };

  /** A default certificate for clients that send no SNI (IP literals). */
  async defaultPair(): Promise<PemPair> {
    const leaf = await issueCertificate({ names: ['localhost', '127.0.0.1', '::1'], ca: this.ca });
    return { certPem: `${leaf.certPem}${this.ca.certPem}`, keyPem: leaf.keyPem };
  }
}

/** Names this balancer may present: route hosts (and wildcards), localhost names, loopback IPs. */
export function servedNames(hosts: string[]): (name: string) => boolean {
  const exact = new Set(['localhost', '127.0.0.1', '::1', ...hosts.filter((h) => !h.startsWith('*.'))]);
  const suffixes = ['.localhost', ...hosts.filter((h) => h.startsWith('*.')).map((h) => h.slice(1))];
  return (name) => exact.has(name) || suffixes.some((s) => name.endsWith(s) && name.length > s.length);
}
