import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDuration } from '../core/duration.js';
import { PorticoError } from '../core/errors.js';
import type { StoreConfig } from './config-schema.js';
import type { EtcdLocation } from './etcd/options.js';

/** portico.yaml's `store:` with the folder its relative paths are relative to. */
export interface ManifestStore {
  config: StoreConfig;
  dir: string;
}

/** Where a command's catalog comes from, for messages and `portico cluster status`. */
export type StoreOrigin = 'flag' | 'env' | 'manifest' | 'default';

/** The `store:` of a loaded project, if its portico.yaml has one. */
export function manifestStoreOf(
  project: { manifest?: { path: string; data: { store?: StoreConfig | undefined } } } | undefined,
): ManifestStore | undefined {
  const config = project?.manifest?.data.store;
  return config && project?.manifest ? { config, dir: dirname(project.manifest.path) } : undefined;
}

/**
 * One rule for every command and the agent: --store > PORTICO_STORE > portico.yaml `store:` >
 * the state directory's catalog.db.
 */
export function storeOrigin(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  manifest: ManifestStore | undefined,
): StoreOrigin {
  if (flag) return 'flag';
  if (env.PORTICO_STORE) return 'env';
  return manifest ? 'manifest' : 'default';
}

function readable(file: string, what: string): string {
  try {
    readFileSync(file);
  } catch (error) {
    throw new PorticoError('E_STORE_CONFIG', `store.tls.${what} in portico.yaml: ${file} cannot be read`, {
      cause: error,
    });
  }
  return file;
}

/**
 * Apply portico.yaml's TLS and auth options to an etcd location parsed from its `url`. The
 * password is read from the variable `auth.passwordEnv` names, never from the file.
 */
export function applyManifestEtcd(
  location: EtcdLocation,
  manifest: ManifestStore,
  env: NodeJS.ProcessEnv,
): EtcdLocation {
  const { config, dir } = manifest;
  const out: EtcdLocation = { ...location };
  if (config.tls) {
    out.tls = true;
    out.hosts = out.hosts.map((h) => h.replace(/^http:\/\//, 'https://'));
    out.caFile = readable(resolve(dir, config.tls.ca), 'ca');
    if (config.tls.cert) out.certFile = readable(resolve(dir, config.tls.cert), 'cert');
    if (config.tls.key) out.keyFile = readable(resolve(dir, config.tls.key), 'key');
  }
  if (config.auth) {
    const password = env[config.auth.passwordEnv];
    if (!password) {
      throw new PorticoError(
        'E_STORE_CONFIG',
        `store.auth.passwordEnv in portico.yaml names ${config.auth.passwordEnv}, which is not set`,
        { hint: `Export ${config.auth.passwordEnv} with the etcd password of "${config.auth.username}".` },
      );
    }
    out.username = config.auth.username;
    out.password = password;
  }
  if (config.timeout) out.timeoutMs = Math.max(1, parseDuration(config.timeout, 'store.timeout'));
  if (config.lease) {
    const seconds = Math.round(parseDuration(config.lease, 'store.lease') / 1000);
    if (seconds < 2 || seconds > 3600)
      throw new PorticoError(
        'E_STORE_CONFIG',
        `store.lease in portico.yaml must be 2s–1h, got ${config.lease}`,
      );
    out.leaseTtlSeconds = seconds;
  }
  return out;
}
