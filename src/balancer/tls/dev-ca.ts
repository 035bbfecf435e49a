import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PorticoError } from '../../core/errors.js';
import { ensureStateDir } from '../../core/paths.js';
import { createCertificateAuthority, type PemPair } from '../../tls/certificates.js';

export interface DevCa extends PemPair {
  certPath: string;
  keyPath: string;
  created: boolean;
}

/**
 * Portico's local development CA: created once under the state directory (key mode 0600, the
 * directory 0700), reused afterwards. Concurrent first runs are safe: the key is written with
 * O_EXCL, and a loser reads the winner's files.
 */
export async function loadOrCreateDevCa(env: NodeJS.ProcessEnv = process.env): Promise<DevCa> {
  const dir = join(ensureStateDir(env), 'ca');
  const certPath = join(dir, 'portico-dev-ca.crt');
  const keyPath = join(dir, 'portico-dev-ca.key');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (existsSync(certPath) && existsSync(keyPath)) {
      return {
        certPem: readFileSync(certPath, 'utf8'),
        keyPem: readFileSync(keyPath, 'utf8'),
        certPath,
        keyPath,
        created: false,
      };
    }
    const ca = await createCertificateAuthority('Portico Development CA');
    try {
      writeFileSync(keyPath, ca.keyPem, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await waitFor(certPath);
      return {
        certPem: readFileSync(certPath, 'utf8'),
        keyPem: readFileSync(keyPath, 'utf8'),
        certPath,
        keyPath,
        created: false,
      };
    }
    chmodSync(keyPath, 0o600);
    writeFileSync(certPath, ca.certPem, { mode: 0o644 });
    return { ...ca, certPath, keyPath, created: true };
  } catch (error) {
    if (error instanceof PorticoError) throw error;
    throw new PorticoError(
      'E_LB_TLS',
      `cannot create or read the development CA in ${dir}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 100 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 20));
}

/** How to make browsers and tools trust the CA, for `portico lb ca`. */
export function trustInstructions(certPath: string): string[] {
  return [
    `Debian/Ubuntu:  sudo cp ${certPath} /usr/local/share/ca-certificates/portico-dev-ca.crt && sudo update-ca-certificates`,
    `macOS:          sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${certPath}`,
    `Node.js:        NODE_EXTRA_CA_CERTS=${certPath}`,
    `curl:           curl --cacert ${certPath} https://…`,
    'Firefox keeps its own store: Settings → Privacy & Security → Certificates → Import.',
  ];
}
