import { spawn } from 'node:child_process';
import { PorticoError } from '../core/errors.js';
import { followChanges } from './follow-changes.js';
import type { LeaderJob } from './member.js';

/** Split `--on-leader` text into arguments: whitespace separates, '…' and "…" group. */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) args.push(m[1] ?? m[2] ?? m[3]!);
  if (args.length === 0)
    throw new PorticoError(
      'E_USAGE',
      '--on-leader needs a portico command, e.g. "lb deploy --target haproxy --to ./haproxy.cfg --from-catalog"',
    );
  if (args[0] === 'agent') throw new PorticoError('E_USAGE', '--on-leader cannot start another agent');
  return args;
}

export interface LeaderCommandOptions {
  /** portico arguments, e.g. ['lb', 'deploy', '--target', 'haproxy', …]. */
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Calls back on every catalog change of the project; returns an unsubscribe. */
  onChange: (listener: () => void) => () => void;
  warn: (message: string) => void;
  /** Quiet period after a change before running again (default 1 s). */
  debounceMs?: number;
}

/**
 * A singleton job for the elected agent: run one portico command (typically `lb deploy …
 * --from-catalog`, so exactly one host rewrites the gateway) when elected and again after
 * each catalog change, never two at once; stop it when leadership ends.
 */
export function leaderCommand(options: LeaderCommandOptions): LeaderJob {
  const debounceMs = options.debounceMs ?? 1000;
  return async (signal) => {
    const runOnce = () =>
      new Promise<void>((resolve) => {
        const child = spawn(process.execPath, [process.argv[1]!, ...options.args], {
          cwd: options.cwd,
          env: options.env,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (c: Buffer) => {
          err = (err + c.toString()).slice(-2000);
        });
        const stop = (): void => {
          child.kill('SIGTERM');
        };
        signal.addEventListener('abort', stop, { once: true });
        child.once('close', (c) => {
          signal.removeEventListener('abort', stop);
          if (c !== 0 && !signal.aborted) options.warn(`--on-leader command exited ${c}: ${err.trim()}`);
          resolve();
        });
        child.once('error', (e) => {
          options.warn(`--on-leader command: ${e.message}`);
          resolve();
        });
      });
    await followChanges({ signal, onChange: options.onChange, debounceMs, pass: runOnce });
  };
}
