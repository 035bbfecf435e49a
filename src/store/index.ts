import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PorticoError } from '../core/errors.js';
import { ensureStateDir } from '../core/paths.js';
import type { ManifestStore } from './select.js';
import type { Store } from './store.js';

export { availability } from './availability.js';
export { type ManifestStore, manifestStoreOf, type StoreOrigin, storeOrigin } from './select.js';
export type {
  InstanceFilter,
  SessionOptions,
  StatusChange,
  Store,
  StoreEvent,
  StoreSession,
  SyncResult,
  TtlRecord,
} from './store.js';

type Opener = (
  location: string,
  project: string | undefined,
  env: NodeJS.ProcessEnv,
  manifest: ManifestStore | undefined,
) => Promise<Store>;

/** Store backends by URL scheme. An etcd backend registers here without touching callers. */
const backends: Record<string, Opener> = {
  sqlite: async (path, project) => {
    const { SqliteStore } = await import('./sqlite/sqlite-store.js');
    return new SqliteStore({ path, ...(project ? { project } : {}) });
  },
  // etcd://host:port[,host:port…][/prefix][?tls=1&ca=…&cert=…&key=…&user=…&timeout=ms&lease=s]
  etcd: async (location, project, env, manifest) => {
    const [{ EtcdStore }, { parseEtcdLocation }, { applyManifestEtcd }] = await Promise.all([
      import('./etcd/etcd-store.js'),
      import('./etcd/options.js'),
      import('./select.js'),
    ]);
    const parsed = parseEtcdLocation(location, env);
    return await EtcdStore.open({
      location: manifest ? applyManifestEtcd(parsed, manifest, env) : parsed,
      ...(project ? { project } : {}),
    });
  },
};

/**
 * Open the catalog: `--store` / PORTICO_STORE as `sqlite:///abs/path.db`, a plain path, or
 * `etcd://host:port[,host:port…]` (see etcd/options.ts for TLS and auth); else portico.yaml's
 * `store:` (`manifest`, with its TLS files and password variable); else `catalog.db` in
 * Portico's state directory. Reads and writes are scoped to `project` (default "default");
 * `store.inProject(name)` reaches another project's namespace.
 */
export async function openStore(
  location?: string,
  env: NodeJS.ProcessEnv = process.env,
  project?: string,
  manifest?: ManifestStore,
): Promise<Store> {
  const explicit = location || env.PORTICO_STORE;
  const value = explicit || manifest?.config.url;
  // The manifest's TLS/auth options belong to the manifest's URL only.
  const fromManifest = explicit ? undefined : manifest;
  if (!value) return await backends.sqlite!(join(ensureStateDir(env), 'catalog.db'), project, env, undefined);
  const m = /^([a-z0-9+]+):\/\/(.*)$/.exec(value);
  if (!m) return await backends.sqlite!(isAbsolute(value) ? value : resolve(value), project, env, undefined);
  const open = backends[m[1]!];
  if (!open) {
    throw new PorticoError('E_STORE_URL', `unknown store "${m[1]}" in ${value}`, {
      hint: `Known: ${Object.keys(backends).join(', ')}.`,
    });
  }
  return await open(m[1] === 'sqlite' ? fileURLToPath(`file://${m[2]}`) : m[2]!, project, env, fromManifest);
}
