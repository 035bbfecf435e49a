import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PorticoError } from './errors.js';

/**
 * Where Portico keeps its state (reservations, catalog, dev CA). PORTICO_HOME wins so tests and
 * several checkouts can keep separate state; otherwise the XDG state directory.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PORTICO_HOME) return env.PORTICO_HOME;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'portico');
}

/** The state directory, created (mode 0700: it holds leases and a CA key) if missing. */
export function ensureStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = stateDir(env);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new PorticoError('E_STATE_DIR', `cannot create state directory ${dir}`, {
      hint: 'Set PORTICO_HOME to a writable directory.',
      cause: error,
    });
  }
  return dir;
}
