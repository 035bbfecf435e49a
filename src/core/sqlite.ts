import Database from 'better-sqlite3';
import { PorticoError } from './errors.js';

export type Db = Database.Database;

/** One schema step; applied in order, each inside a transaction, tracked by `user_version`. */
export type Migration = (db: Db) => void;

export interface OpenOptions {
  /** How long a writer waits for another process's lock before E_STORE_BUSY. */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

/**
 * Opens an embedded SQLite database the way every Portico store needs it: WAL so the CLI and a
 * running agent can read while one writes, synchronous=FULL so an acknowledged write survives a
 * power cut, a busy timeout so concurrent CLIs queue instead of failing, and schema migrations.
 */
export function openDatabase(path: string, migrations: readonly Migration[], options: OpenOptions = {}): Db {
  let db: Db;
  try {
    db = new Database(path, {
      readonly: options.readonly ?? false,
      timeout: options.busyTimeoutMs ?? 10_000,
    });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
  } catch (error) {
    throw translateSqliteError(error, path);
  }
  return db;
}

function migrate(db: Db, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new PorticoError(
      'E_STORE_CORRUPT',
      `database schema version ${current} is newer than this Portico`,
      {
        hint: 'Upgrade Portico, or point PORTICO_HOME elsewhere.',
      },
    );
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now > version) return;
      migrations[version]!(db);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}

/** Map SQLite's error codes onto Portico's coded errors; anything else passes through. */
export function translateSqliteError(error: unknown, path: string): unknown {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new PorticoError('E_STORE_BUSY', `the store ${path} is locked by another process`, {
      hint: 'Retry; if it persists, look for a stuck portico process.',
      cause: error,
    });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new PorticoError('E_STORE_CORRUPT', `${path} is not a usable Portico database`, {
      hint: 'Move the file aside; Portico will create a fresh one.',
      cause: error,
    });
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY') {
    return new PorticoError('E_STATE_DIR', `cannot open ${path} for writing`, {
      hint: 'Check permissions, or set PORTICO_HOME to a writable directory.',
      cause: error,
    });
  }
  return error;
}
