import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Db } from '../../core/sqlite.js';

/**
 * After a write shows up in the WAL file, when to look again for its commit (ms after the file
 * event): the writer appends its frames, fsyncs (synchronous=FULL) and only then publishes the
 * commit in the shared WAL index, so the last file event can come before the commit is visible.
 */
const settleChecksMs = [0, 2, 5, 10, 20, 40, 80, 160, 320];

export interface ChangeSignalOptions {
  /** How often to look for other processes' commits when no file event says so (safety net). */
  safetyPollMs: number;
}

/**
 * "Something may have changed" for the watchers of one SQLite handle, without a tight poll.
 * Writes through this handle (every SqliteStore sharing it) call `notify` after their commit;
 * writes by other processes (or other handles) are noticed through inotify on the database's
 * directory (the -wal file grows with every commit) and confirmed with `PRAGMA data_version`,
 * which changes exactly when another connection has committed. A slow safety poll of
 * data_version covers a missed or unavailable file watch. The watch and the poll exist only
 * while someone waits: an idle store holds no timer and no file descriptor.
 */
export class ChangeSignal {
  private readonly waiters = new Set<Waiter>();
  private watcher: FSWatcher | undefined;
  private safety: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private settleStep = 0;
  private version = 0;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly options: ChangeSignalOptions,
  ) {}

  /** A waiter for one watch loop; `close` it when the loop ends. */
  subscribe(): Waiter {
    const waiter = new Waiter(() => {
      this.waiters.delete(waiter);
      if (this.waiters.size === 0) this.stopWatching();
    });
    if (this.closed) return waiter;
    if (this.waiters.size === 0) this.startWatching();
    this.waiters.add(waiter);
    return waiter;
  }

  /** A commit happened (this process's, or confirmed from another): wake every waiter. */
  notify(): void {
    for (const waiter of this.waiters) waiter.wake();
  }

  /** Whether anything watches (tests: nothing is left behind after the watchers end). */
  get active(): boolean {
    return this.watcher !== undefined || this.safety !== undefined || this.settle !== undefined;
  }

  /** The handle is closing: drop the watch and the timers; waiting loops see their store closed. */
  close(): void {
    this.closed = true;
    this.stopWatching();
    this.notify();
  }

  private startWatching(): void {
    this.version = this.dataVersion();
    this.safety = setInterval(() => this.checkOthers(), this.options.safetyPollMs);
    const file = this.db.name;
    // An in-memory database (or a temporary one) has no file another process could write.
    if (this.db.memory || file === '' || file === ':memory:') return;
    const wal = `${basename(file)}-wal`;
    try {
      // The directory, not the file: a WAL that is removed and created again stays covered.
      this.watcher = watch(dirname(file), { persistent: true }, (_event, name) => {
        if (name === null || name === wal) this.fileChanged();
      });
      this.watcher.on('error', () => this.dropFileWatch());
    } catch {
      // No inotify (limits reached, unsupported file system): the safety poll alone remains.
      this.watcher = undefined;
    }
  }

  private stopWatching(): void {
    clearInterval(this.safety);
    this.safety = undefined;
    clearTimeout(this.settle);
    this.settle = undefined;
    this.dropFileWatch();
  }

  private dropFileWatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** The WAL was written (by anyone, this process too): look now and a few times as it settles. */
  private fileChanged(): void {
    this.settleStep = 0;
    clearTimeout(this.settle);
    this.settle = undefined;
    this.settleNext();
  }

  private settleNext(): void {
    // A commit seen: look on from the start, since inotify merges a writer's next events into the
    // one already queued, so later commits of a burst may bring no event of their own.
    if (this.checkOthers()) this.settleStep = 0;
    if (this.settleStep >= settleChecksMs.length - 1) {
      this.settle = undefined;
      return;
    }
    const delay = settleChecksMs[this.settleStep + 1]! - settleChecksMs[this.settleStep]!;
    this.settleStep++;
    this.settle = setTimeout(() => this.settleNext(), delay);
  }

  /** True when another connection has committed since the last look (the waiters are woken). */
  private checkOthers(): boolean {
    if (this.closed || !this.db.open) return false;
    const version = this.dataVersion();
    if (version === this.version) return false;
    this.version = version;
    this.notify();
    return true;
  }

  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }
}

/**
 * One watch loop's wake-up: `arm` before reading the change log, then `next` resolves at once
 * if a change was signalled since (nothing falls between the read and the wait), else at the
 * next signal or when `signal` aborts.
 */
export class Waiter {
  private signalled = false;
  private resolve: (() => void) | undefined;

  constructor(readonly close: () => void) {}

  arm(): void {
    this.signalled = false;
  }

  wake(): void {
    this.signalled = true;
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  }

  next(signal: AbortSignal): Promise<void> {
    if (this.signalled || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        this.resolve = undefined;
        resolve();
      };
      this.resolve = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
