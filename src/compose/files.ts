import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { PorticoError } from '../core/errors.js';

const primaryNames = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const overrideNames = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yaml',
  'docker-compose.override.yml',
];

/**
 * The compose files `docker compose` would use: explicit -f files, else COMPOSE_FILE, else the
 * first compose.yaml / docker-compose.yml found in cwd or a parent directory, plus its override
 * file next to it.
 */
export function resolveComposeFiles(
  files: string[] | undefined,
  cwd: string,
  env: NodeJS.ProcessEnv,
): string[] {
  if (files && files.length > 0) return files.map((f) => mustExist(isAbsolute(f) ? f : resolve(cwd, f)));
  if (env.COMPOSE_FILE) {
    const sep = env.COMPOSE_PATH_SEPARATOR || ':';
    return env.COMPOSE_FILE.split(sep)
      .filter(Boolean)
      .map((f) => mustExist(isAbsolute(f) ? f : resolve(cwd, f)));
  }
  const found = findDefault(cwd);
  if (!found) {
    throw new PorticoError('E_COMPOSE_NOT_FOUND', `no compose file in ${cwd} or its parents`, {
      hint: `Pass one with -f, or run in a folder with ${primaryNames.join(' / ')}.`,
    });
  }
  return found;
}

/** Like resolveComposeFiles but undefined (not an error) when the folder has no compose file. */
export function findDefault(cwd: string): string[] | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const here = composeFilesIn(dir);
    if (here) return here;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The compose file of this one folder (and its override), without looking at parents. */
export function composeFilesIn(dir: string): string[] | undefined {
  const primary = primaryNames.map((n) => join(dir, n)).find(isFile);
  if (!primary) return undefined;
  const override = overrideNames.map((n) => join(dir, n)).find(isFile);
  return override ? [primary, override] : [primary];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function mustExist(path: string): string {
  if (!existsSync(path)) {
    throw new PorticoError('E_FILE_NOT_FOUND', `compose file ${path} does not exist`);
  }
  return path;
}
