import { setTimeout as sleep } from 'node:timers/promises';
import { PorticoError } from '../core/errors.js';
import { storeUnavailable } from '../store/etcd/errors.js';
import type { EtcdStore } from '../store/etcd/etcd-store.js';
import { clusterKeys } from './keys.js';

export interface ClusterReservation {
  name: string;
  port: number;
  /** Who asked (host name or user), for humans. */
  owner: string;
  at: number;
}

export interface ReserveOptions {
  /** Ports to choose from, inclusive (default 20000–29999). */
  range?: { from: number; to: number };
  owner: string;
}

const defaultRange = { from: 20000, to: 29999 };
const maxAttempts = 50;

/**
 * Cluster-wide port reservations in etcd: a name gets one port for every host, and a port one
 * name. Both keys (`names/<name>`, `ports/<port>`) are created in one transaction that commits
 * only if neither exists (`Create == 0`), so two hosts racing for a name, or for a port, can
 * never both win: the loser reads again and gets the winner's port (same name) or tries the
 * next free port. Idempotent: asking again for a reserved name returns its port.
 */
export async function reserveClusterPort(
  store: EtcdStore,
  name: string,
  options: ReserveOptions,
): Promise<ClusterReservation & { created: boolean }> {
  return await coded(store, () => reserve(store, name, options));
}

/** Client failures become E_STORE_UNAVAILABLE naming the endpoints, as for the catalog. */
async function coded<T>(store: EtcdStore, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw storeUnavailable(error, store.location.hosts);
  }
}

async function reserve(
  store: EtcdStore,
  name: string,
  options: ReserveOptions,
): Promise<ClusterReservation & { created: boolean }> {
  const { client, root } = store;
  const range = options.range ?? defaultRange;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(name))
    throw new PorticoError(
      'E_USAGE',
      `reservation name "${name}" must be letters, digits, "_", ".", ":" and "-"`,
    );
  const nameKey = clusterKeys.reservationName(root, name);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const existing = await client.get(nameKey).string();
    if (existing !== null) return { ...(JSON.parse(existing) as ClusterReservation), created: false };
    const taken = new Set(
      (await client.getAll().prefix(`${root}/_reservations/ports/`).keys()).map((k) =>
        Number(k.slice(k.lastIndexOf('/') + 1)),
      ),
    );
    let port: number | undefined;
    for (let p = range.from; p <= range.to; p++)
      if (!taken.has(p)) {
        port = p;
        break;
      }
    if (port === undefined)
      throw new PorticoError(
        'E_PORT_RANGE_INVALID',
        `no free port left in ${range.from}-${range.to} for "${name}"`,
      );
    const reservation: ClusterReservation = { name, port, owner: options.owner, at: Date.now() };
    const portKey = clusterKeys.reservationPort(root, port);
    const res = await client
      .if(nameKey, 'Create', '==', 0)
      .and(portKey, 'Create', '==', 0)
      .then(client.put(nameKey).value(JSON.stringify(reservation)), client.put(portKey).value(name))
      .commit();
    if (res.succeeded) return { ...reservation, created: true };
    await sleep(Math.random() * Math.min(50, 2 + attempt * 5));
  }
  throw new PorticoError('E_STORE_UNAVAILABLE', `reserving "${name}" kept losing to concurrent writers`);
}

/** Every cluster-wide reservation, by name. */
export async function listClusterReservations(store: EtcdStore): Promise<ClusterReservation[]> {
  const values = await coded(store, () =>
    store.client.getAll().prefix(clusterKeys.reservationNames(store.root)).strings(),
  );
  return Object.values(values)
    .map((v) => JSON.parse(v) as ClusterReservation)
    .sort((a, b) => a.port - b.port);
}

/** Release a name and its port together; false when it was not reserved. */
export async function releaseClusterPort(store: EtcdStore, name: string): Promise<boolean> {
  return await coded(store, () => release(store, name));
}

async function release(store: EtcdStore, name: string): Promise<boolean> {
  const { client, root } = store;
  const nameKey = clusterKeys.reservationName(root, name);
  const existing = await client.get(nameKey).string();
  if (existing === null) return false;
  const { port } = JSON.parse(existing) as ClusterReservation;
  const res = await client
    .if(nameKey, 'Value', '==', existing)
    .then(client.delete().key(nameKey), client.delete().key(clusterKeys.reservationPort(root, port)))
    .commit();
  return res.succeeded;
}
