import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface IssueOptions {
  /** DNS names and IP addresses the certificate is for; the first is the common name. */
  names: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** Sign with this CA; without it the certificate is self-signed. */
  ca?: PemPair;
}

/** A certificate authority for local development (ECDSA P-256, 10 years by default). */
export async function createCertificateAuthority(commonName: string, validDays = 3650): Promise<PemPair> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${escapeDn(commonName)}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + validDays * 86_400_000),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: pem(cert), keyPem: await exportKey(keys.privateKey) };
}

/** A server certificate for `names`, signed by `ca` (or self-signed), with any validity window. */
export async function issueCertificate(options: IssueOptions): Promise<PemPair> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 397 * 86_400_000);
  const subject = `CN=${escapeDn(options.names[0] ?? 'localhost')}`;
  const extensions = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
    new x509.SubjectAlternativeNameExtension(
      options.names.map((n) =>
        isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n },
      ),
    ),
  ];
  if (!options.ca) {
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: subject,
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: algorithm,
      extensions,
    });
    return { certPem: pem(cert), keyPem: await exportKey(keys.privateKey) };
  }
  const caCert = new x509.X509Certificate(options.ca.certPem);
  const caKey = await importKey(options.ca.keyPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: caCert.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: algorithm,
    extensions: [...extensions, await x509.AuthorityKeyIdentifierExtension.create(caCert)],
  });
  return { certPem: pem(cert), keyPem: await exportKey(keys.privateKey) };
}

/** PEM text ending in a newline, so certificates can be concatenated into a chain. */
function pem(cert: x509.X509Certificate): string {
  const text = cert.toString('pem');
  return text.endsWith('\n') ? text : `${text}\n`;
}

async function exportKey(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<webcrypto.CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64');
  return await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
}

function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0]! &= 0x7f; // positive
  return Buffer.from(bytes).toString('hex');
}

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}
