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
  let db: Db | undefined;
  const timeoutMs = options.busyTimeoutMs ?? 10_000;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, timeout: timeoutMs });
    const opened = db;
    // Several processes opening one new file at once: switching it to WAL (and reading a WAL
    // another process is still initialising) can fail with SQLITE_BUSY without SQLite ever
    // calling the busy handler, so these idempotent steps retry on their own.
    retryWhileBusy(timeoutMs, () => {
      if (opened.pragma('journal_mode', { simple: true }) !== 'wal') opened.pragma('journal_mode = WAL');
      opened.pragma('synchronous = FULL');
      opened.pragma('foreign_keys = ON');
      migrate(opened, migrations);
    });
  } catch (error) {
    db?.close();
    throw translateSqliteError(error, path);
  }
  return db;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** Run `step` again after a short, growing pause while SQLite says busy, up to `timeoutMs`. */
export function retryWhileBusy(timeoutMs: number, step: () => void): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waitMs = 2; ; waitMs = Math.min(waitMs * 2, 100)) {
    try {
      step();
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() + waitMs > deadline) throw error;
      // Opening is synchronous throughout (better-sqlite3), so the pause is too.
      Atomics.wait(pause, 0, 0, waitMs + Math.random() * waitMs);
    }
  }
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
  if (isBusy(error)) {
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
