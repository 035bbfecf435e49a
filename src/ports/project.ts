import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { findDefault } from '../compose/files.js';
import { loadComposeProject, normalizeProjectName } from '../compose/load.js';
import type { ComposeProject } from '../compose/model.js';

/**
 * The compose project for a command: the -f files, else the one in the current folder (or a
 * parent), else none. `required` turns "none" into E_COMPOSE_NOT_FOUND. `profiles` are the
 * enabled compose profiles (--profile); undefined means COMPOSE_PROFILES.
 */
export async function loadProjectIfAny(
  files: string[] | undefined,
  cwd: string,
  env: NodeJS.ProcessEnv,
  required: boolean,
  profiles?: string[],
): Promise<ComposeProject | undefined> {
  if (!required && (!files || files.length === 0) && !env.COMPOSE_FILE && !findDefault(cwd)) return undefined;
  return await loadComposeProject({ files, cwd, env, profiles });
}

/** The project a reservation belongs to: the compose project's name, else the folder's. */
export async function currentProjectName(cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const project = await loadProjectIfAny(undefined, cwd, env, false).catch(() => undefined);
  return project?.name ?? (normalizeProjectName(basename(cwd)) || 'default');
}

/** net.ipv4.ip_unprivileged_port_start (1024 unless lowered). */
export function unprivilegedPortStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim()) || 1024;
  } catch {
    return 1024;
  }
}

export function isPrivilegedUser(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
