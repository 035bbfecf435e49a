import type { PortRange } from '../../core/address.js';
import { PorticoError } from '../../core/errors.js';
import { bindTestBothFamilies, isFreeOnBoth } from '../bind-test.js';
import { defaultRange, type Reservation } from './model.js';
import type { LeaseTable } from './store.js';

export interface ReserveRequest {
  name: string;
  project: string;
  /** A specific port; otherwise one derived from the name inside `range`. */
  port?: number;
  range?: PortRange;
  pid?: number;
  /** Ports not to hand out even if free (e.g. other host ports of the same compose project). */
  avoid?: ReadonlySet<number>;
  /** Move an existing lease whose port is now taken or avoided, instead of returning it. */
  mustBeFree?: boolean;
}

export interface ReserveResult {
  reservation: Reservation;
  /** False when the name already had this lease (renewed). */
  created: boolean;
  /** Leases of dead processes removed on the way. */
  reclaimed: Reservation[];
}

export interface AllocatorHooks {
  now?: () => number;
  isAlive?: (pid: number) => boolean;
  /** Replaces the real bind test (tests only). */
  isFree?: (port: number) => Promise<boolean>;
  /** Compute the answer but write nothing (for `ports fix` proposals). */
  dryRun?: boolean;
}

/**
 * Give `name` a port, race-free across processes: everything between choosing and recording
 * happens inside one IMMEDIATE transaction (other allocators wait on the database lock), the
 * candidate must pass a real bind test on IPv4 and IPv6, and the table's UNIQUE(port) is the
 * last line of defence.
 */
export async function reserve(
  table: LeaseTable,
  req: ReserveRequest,
  hooks: AllocatorHooks = {},
): Promise<ReserveResult> {
  const now = hooks.now ?? Date.now;
  const isAlive = hooks.isAlive ?? pidAlive;
  const isFree = hooks.isFree ?? (async (port: number) => isFreeOnBoth(await bindTestBothFamilies(port)));
  table.db.exec('BEGIN IMMEDIATE');
  try {
    const reclaimed = table.all().filter((r) => r.pid !== undefined && !isAlive(r.pid));
    for (const r of reclaimed) table.delete(r.project, r.name);

    let existing = table.find(req.project, req.name);
    if (existing && req.mustBeFree && (req.avoid?.has(existing.port) || !(await isFree(existing.port)))) {
      table.delete(existing.project, existing.name);
      existing = undefined;
    }
    if (existing) {
      if (req.port !== undefined && req.port !== existing.port) {
        throw new PorticoError(
          'E_PORTS_ALREADY_RESERVED',
          `${req.name} already holds port ${existing.port} in project ${req.project}`,
          {
            hint: `Release it first: portico ports release ${req.name}`,
          },
        );
      }
      table.renew(req.project, req.name, req.pid, now());
      finish(table, hooks.dryRun);
      return {
        reservation: { ...existing, ...(req.pid ? { pid: req.pid } : {}), renewedAt: now() },
        created: false,
        reclaimed,
      };
    }

    const port =
      req.port !== undefined ? await checkRequested(table, req.port, isFree) : await pick(table, req, isFree);
    const reservation: Reservation = {
      name: req.name,
      port,
      project: req.project,
      ...(req.pid !== undefined ? { pid: req.pid } : {}),
      createdAt: now(),
      renewedAt: now(),
    };
    table.insert(reservation);
    finish(table, hooks.dryRun);
    return { reservation, created: true, reclaimed };
  } catch (error) {
    if (table.db.inTransaction) table.db.exec('ROLLBACK');
    throw error;
  }
}

function finish(table: LeaseTable, dryRun: boolean | undefined): void {
  table.db.exec(dryRun ? 'ROLLBACK' : 'COMMIT');
}

async function checkRequested(
  table: LeaseTable,
  port: number,
  isFree: (p: number) => Promise<boolean>,
): Promise<number> {
  const holder = table.byPort(port);
  if (holder) {
    throw new PorticoError(
      'E_PORTS_RESERVED',
      `port ${port} is reserved for ${holder.name} (project ${holder.project})`,
      {
        hint: 'Pick another port, or omit --port to get a free one.',
      },
    );
  }
  if (!(await isFree(port))) {
    throw new PorticoError('E_PORTS_IN_USE', `port ${port} is in use on this host`, {
      hint: `See who holds it: portico ports who ${port}`,
    });
  }
  return port;
}

/** Start at the name's hash inside the range and walk forward, wrapping once. */
async function pick(
  table: LeaseTable,
  req: ReserveRequest,
  isFree: (p: number) => Promise<boolean>,
): Promise<number> {
  const range = req.range ?? defaultRange;
  const size = range.end - range.start + 1;
  const taken = new Set([...table.all().map((r) => r.port), ...(req.avoid ?? [])]);
  const first = stablePort(req.name, range);
  for (let i = 0; i < size; i++) {
    const port = range.start + ((first - range.start + i) % size);
    if (!taken.has(port) && (await isFree(port))) return port;
  }
  throw new PorticoError('E_PORTS_RANGE_EXHAUSTED', `no free port left in ${range.start}-${range.end}`, {
    hint: 'Release unused reservations (portico ports reservations) or use a wider --range.',
  });
}

/** FNV-1a of the name, folded into the range: the same name lands on the same port everywhere. */
export function stablePort(name: string, range: PortRange): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return range.start + (hash % (range.end - range.start + 1));
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove a lease; false when there was none. Also reclaims stale leases. */
export function release(table: LeaseTable, project: string, name: string): boolean {
  return table.delete(project, name);
}

/** All leases, with stale ones (dead pid) reclaimed first. */
export function listReservations(
  table: LeaseTable,
  isAlive: (pid: number) => boolean = pidAlive,
): Reservation[] {
  const stale = table.all().filter((r) => r.pid !== undefined && !isAlive(r.pid));
  if (stale.length > 0) {
    table.db
      .transaction(() => {
        for (const r of stale) table.delete(r.project, r.name);
      })
      .immediate();
  }
  return table.all();
}
