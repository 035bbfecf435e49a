import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PorticoError } from './errors.js';

export interface AtomicWriteResult {
  path: string;
  /** Where the previous content was saved, when there was a previous file. */
  backup?: string;
}

/**
 * Replace a user's file without ever leaving it half-written: write a sibling temp file, fsync
 * it, keep a backup copy of the original, then rename over it (atomic on POSIX) and fsync the
 * directory. The original's mode is kept.
 */
export function writeFileAtomic(
  path: string,
  content: string,
  options: { backup?: boolean } = {},
): AtomicWriteResult {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.portico-${randomBytes(4).toString('hex')}.tmp`);
  let mode = 0o644;
  let existed = false;
  try {
    mode = statSync(path).mode & 0o7777;
    existed = true;
  } catch {}

  let backup: string | undefined;
  try {
    if (existed && options.backup !== false) {
      backup = copyToFreshBackup(path);
    }
    const fd = openSync(tmp, 'wx', mode);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    syncDirectory(dir);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {}
    throw new PorticoError('E_FILE_WRITE', `could not write ${path}: ${(error as Error).message}`, {
      hint: 'Check the directory is writable and the disk has space; the original file is unchanged.',
      cause: error,
    });
  }
  return backup ? { path, backup } : { path };
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  }
}

/** Backups never overwrite an earlier backup, even for two edits within one second. */
function copyToFreshBackup(path: string): string {
  const stem = `${path}.portico-bak-${timestamp()}`;
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? stem : `${stem}-${n}`;
    try {
      copyFileSync(path, candidate, constants.COPYFILE_EXCL);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n > 1000) throw error;
    }
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
}
