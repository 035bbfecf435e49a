import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * A directory `root` in which `root + p` reads like `p` for every absolute path, except the given
 * files, which read with their new text. The real compose loader can then re-load a project
 * as it would be after an edit — includes, extends, env_files, `.env`, relative paths and the
 * project name (from the folder name) all resolve as they do for the real files — without
 * writing anything next to the user's files. Directories on the way to an edited file are real;
 * every other entry is a symlink to the original.
 */
export interface Overlay {
  root: string;
  /** The overlay path for a real absolute path. */
  map(path: string): string;
  /** The real path for an overlay path (other strings unchanged). */
  unmap(path: string): string;
  dispose(): void;
}

export function createOverlay(files: ReadonlyMap<string, string>): Overlay {
  // The real path, so paths a loader resolves with realpath still start with `root`.
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'portico-fix-')));
  const map = (path: string): string => join(root, resolve(path));
  try {
    const realDirs = new Set<string>();
    for (const file of files.keys()) {
      for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
        realDirs.add(dir);
        if (dirname(dir) === dir) break;
      }
    }
    const edited = new Set([...files.keys()].map((f) => resolve(f)));
    const byDepth = [...realDirs].sort((a, b) => a.length - b.length);
    for (const dir of byDepth) {
      mkdirSync(map(dir), { recursive: true });
      let entries: string[] = [];
      try {
        entries = readdirSync(dir);
      } catch {
        // An unreadable directory: only the paths to the edited files resolve through it.
      }
      for (const entry of entries) {
        const real = join(dir, entry);
        if (realDirs.has(real) || edited.has(real) || real === root) continue;
        symlinkSync(real, map(real));
      }
    }
    for (const [file, text] of files) writeFileSync(map(file), text);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return {
    root,
    map,
    unmap: (path) => (path.startsWith(`${root}/`) ? path.slice(root.length) : path),
    // rm does not follow symlinks: only the overlay's own entries are removed.
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
