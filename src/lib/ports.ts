/**
 * `portico/ports`: who listens on this host (procfs on Linux, lsof elsewhere, containers named
 * through the Docker engine when one answers), who holds a port, and port reservations shared
 * with `portico ports reserve` (the same ports.db, the same race-free allocator).
 */
import type { PortRange } from '../core/address.js';
import type { Listener } from '../ports/listener.js';
import { type ListOptions, listListeners } from '../ports/listeners.js';
import {
  listReservations as listLeases,
  type ReserveResult,
  release,
  reserve,
} from '../ports/reservations/allocator.js';
import type { Reservation } from '../ports/reservations/model.js';
import { LeaseTable } from '../ports/reservations/store.js';
import { defaultProjectName } from '../project/model.js';

export type { PortRange } from '../core/address.js';
export type { ContainerOwner, Listener, ProcessInfo } from '../ports/listener.js';
export {
  type ListOptions,
  type ListResult,
  listListeners,
  listListenersDetailed,
} from '../ports/listeners.js';
export type { ReserveResult } from '../ports/reservations/allocator.js';
export { defaultRange, type Reservation } from '../ports/reservations/model.js';

/** The sockets bound on `port` (TCP listening, UDP bound), with their owners; empty when free. */
export async function whoHolds(port: number, options: ListOptions = {}): Promise<Listener[]> {
  return (await listListeners(options)).filter((l) => l.port === port);
}

export interface ReservePortOptions {
  /** The project the name belongs to (default "default"). */
  project?: string;
  /** This exact port; otherwise a stable one derived from the name inside `range`. */
  port?: number;
  /** Default 20000-29999. */
  range?: PortRange;
  /** The lease lives only while this process does. */
  pid?: number;
  /** Where the state directory is found (PORTICO_HOME); default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Set a port aside for `name` (the same name gets the same port next time). The port passes a
 * real bind test on IPv4 and IPv6 before it is recorded; a taken port is E_PORT_* as in the CLI.
 */
export async function reservePort(name: string, options: ReservePortOptions = {}): Promise<ReserveResult> {
  const table = LeaseTable.open(options.env);
  try {
    return await reserve(table, {
      name,
      project: options.project ?? defaultProjectName,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.range ? { range: options.range } : {}),
      ...(options.pid !== undefined ? { pid: options.pid } : {}),
    });
  } finally {
    table.close();
  }
}

/** Give a reservation back; false when `name` had none in that project. */
export function releasePort(
  name: string,
  options: { project?: string; env?: NodeJS.ProcessEnv } = {},
): boolean {
  const table = LeaseTable.open(options.env);
  try {
    return release(table, options.project ?? defaultProjectName, name);
  } finally {
    table.close();
  }
}

/** Every reservation of every project (leases of dead processes are reclaimed first). */
export function listReservations(options: { env?: NodeJS.ProcessEnv } = {}): Reservation[] {
  const table = LeaseTable.open(options.env);
  try {
    return listLeases(table);
  } finally {
    table.close();
  }
}
