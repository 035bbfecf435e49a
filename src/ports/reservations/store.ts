import { join } from 'node:path';
import { ensureStateDir } from '../../core/paths.js';
import { type Db, type Migration, openDatabase } from '../../core/sqlite.js';
import type { Reservation } from './model.js';

const migrations: Migration[] = [
  (db) =>
    db.exec(`
      CREATE TABLE leases (
        project    TEXT NOT NULL,
        name       TEXT NOT NULL,
        port       INTEGER NOT NULL UNIQUE CHECK (port BETWEEN 1 AND 65535),
        pid        INTEGER,
        created_at INTEGER NOT NULL,
        renewed_at INTEGER NOT NULL,
        PRIMARY KEY (project, name)
      );
    `),
];

interface Row {
  project: string;
  name: string;
  port: number;
  pid: number | null;
  created_at: number;
  renewed_at: number;
}

function toReservation(r: Row): Reservation {
  return {
    name: r.name,
    port: r.port,
    project: r.project,
    ...(r.pid !== null ? { pid: r.pid } : {}),
    createdAt: r.created_at,
    renewedAt: r.renewed_at,
  };
}

/**
 * The lease table. `port` is UNIQUE, so even a bug in the allocator cannot hand one port to two
 * names: the database refuses the second insert.
 */
export class LeaseTable {
  constructor(readonly db: Db) {}

  static open(env: NodeJS.ProcessEnv = process.env): LeaseTable {
    return new LeaseTable(openDatabase(join(ensureStateDir(env), 'ports.db'), migrations));
  }

  all(): Reservation[] {
    return (this.db.prepare('SELECT * FROM leases ORDER BY port').all() as Row[]).map(toReservation);
  }

  find(project: string, name: string): Reservation | undefined {
    const row = this.db.prepare('SELECT * FROM leases WHERE project = ? AND name = ?').get(project, name) as
      | Row
      | undefined;
    return row ? toReservation(row) : undefined;
  }

  byPort(port: number): Reservation | undefined {
    const row = this.db.prepare('SELECT * FROM leases WHERE port = ?').get(port) as Row | undefined;
    return row ? toReservation(row) : undefined;
  }

  insert(r: Reservation): void {
    this.db
      .prepare(
        'INSERT INTO leases (project, name, port, pid, created_at, renewed_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(r.project, r.name, r.port, r.pid ?? null, r.createdAt, r.renewedAt);
  }

  renew(project: string, name: string, pid: number | undefined, at: number): void {
    this.db
      .prepare('UPDATE leases SET renewed_at = ?, pid = ? WHERE project = ? AND name = ?')
      .run(at, pid ?? null, project, name);
  }

  delete(project: string, name: string): boolean {
    return (
      this.db.prepare('DELETE FROM leases WHERE project = ? AND name = ?').run(project, name).changes > 0
    );
  }

  deletePort(port: number): void {
    this.db.prepare('DELETE FROM leases WHERE port = ?').run(port);
  }

  close(): void {
    this.db.close();
  }
}
