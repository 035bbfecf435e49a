import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { BalancerSpec } from '../balancer/model.js';
import { PorticoError } from '../core/errors.js';
import type { TlsFiles } from './exporter.js';

/** A certificate is issued again when it expires within this long. */
const renewBeforeMs = 30 * 86_400_000;

interface Meta {
  names: string[];
  caSha256: string;
  notAfter: string;
}

/**
 * The certificate files a generated TLS listener presents. `lb serve` mints one per SNI name on
 * demand; a gateway reads files, so one certificate from Portico's development CA names every
 * host the routes serve (exact and wildcard), localhost and the loopback addresses. It lives in
 * `<runtimeDir>/tls/` and is reused while its names, its CA and its validity still fit, so
 * generating twice does not change what a running gateway presents. A `tls.cert`/`tls.key` pair
 * from the configuration is used as given (HAProxy still gets one combined PEM).
 */
export async function tlsFilesFor(
  spec: BalancerSpec,
  runtimeDir: string,
  env: NodeJS.ProcessEnv,
): Promise<TlsFiles | undefined> {
  const tls = spec.tls;
  if (!tls) return undefined;
  const dir = join(runtimeDir, 'tls');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (tls.certFile && tls.keyFile) {
      const pemFile = join(dir, 'given.pem');
      writePrivate(
        pemFile,
        `${withNewline(readFileSync(tls.certFile, 'utf8'))}${readFileSync(tls.keyFile, 'utf8')}`,
      );
      return { certFile: tls.certFile, keyFile: tls.keyFile, pemFile };
    }
  } catch (error) {
    throw new PorticoError(
      'E_LB_TLS',
      `cannot prepare the certificate files in ${dir}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const { loadOrCreateDevCa } = await import('../balancer/tls/dev-ca.js');
  const ca = await loadOrCreateDevCa(env);
  const files: TlsFiles = {
    certFile: join(dir, 'portico-dev.crt'),
    keyFile: join(dir, 'portico-dev.key'),
    pemFile: join(dir, 'portico-dev.pem'),
  };
  const names = servedNames(spec);
  const caSha256 = createHash('sha256').update(ca.certPem).digest('hex');
  const metaFile = join(dir, 'portico-dev.json');
  if (reusable(metaFile, names, caSha256)) return files;
  try {
    const { issueCertificate } = await import('../tls/certificates.js');
    const leaf = await issueCertificate({ names, ca });
    const chain = `${withNewline(leaf.certPem)}${ca.certPem}`;
    writeFileSync(files.certFile, chain, { mode: 0o644 });
    writePrivate(files.keyFile, leaf.keyPem);
    writePrivate(files.pemFile, `${chain}${leaf.keyPem}`);
    const { X509Certificate } = await import('node:crypto');
    const notAfter = new Date(new X509Certificate(leaf.certPem).validTo).toISOString();
    writeFileSync(metaFile, `${JSON.stringify({ names, caSha256, notAfter } satisfies Meta, null, 2)}\n`);
  } catch (error) {
    throw new PorticoError(
      'E_LB_TLS',
      `cannot write the certificate files in ${dir}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return files;
}

/** The names the certificate covers, in a stable order (the same spec gives the same names). */
export function servedNames(spec: BalancerSpec): string[] {
  const hosts = spec.routes.flatMap((r) => (r.host ? [r.host.toLowerCase()] : []));
  const listen = spec.tls?.listen.host;
  const extra = listen && !isIP(listen) && listen !== 'localhost' ? [listen] : [];
  const fixed = ['localhost', '127.0.0.1', '::1'];
  return [...fixed, ...[...new Set([...hosts, ...extra])].filter((h) => !fixed.includes(h)).sort()];
}

function reusable(metaFile: string, names: string[], caSha256: string): boolean {
  try {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Meta;
    return (
      meta.caSha256 === caSha256 &&
      JSON.stringify(meta.names) === JSON.stringify(names) &&
      Date.parse(meta.notAfter) - Date.now() > renewBeforeMs
    );
  } catch {
    return false;
  }
}

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

const withNewline = (pem: string): string => (pem.endsWith('\n') ? pem : `${pem}\n`);
