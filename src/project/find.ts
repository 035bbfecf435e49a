import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { composeFilesIn } from '../compose/files.js';
import { manifestNames } from '../discovery/sources/manifest/load-manifest.js';

export interface FoundProject {
  dir: string;
  /** The compose files compose itself would pick there (primary + override), if any. */
  composeFiles?: string[];
  manifest?: string;
}

/**
 * The nearest folder, from `cwd` upward, that holds a compose file or a portico.yaml — the
 * same walk `docker compose` does for its files, so both tools agree on which project this is.
 */
export function findProjectDir(cwd: string): FoundProject | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const manifest = manifestNames.map((n) => join(dir, n)).find(isFile);
    const composeHere = composeFilesIn(dir);
    if (manifest || composeHere) {
      return {
        dir,
        ...(composeHere ? { composeFiles: composeHere } : {}),
        ...(manifest ? { manifest } : {}),
      };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}
