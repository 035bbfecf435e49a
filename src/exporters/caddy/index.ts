import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Exporter } from '../exporter.js';
import { livePids, runBinary } from '../run-binary.js';
import { renderCaddy } from './render.js';

/** Caddy keeps its state under HOME/XDG folders: point them at the runtime folder. */
const envFor = (run: string): NodeJS.ProcessEnv => ({
  ...process.env,
  HOME: run,
  XDG_DATA_HOME: run,
  XDG_CONFIG_HOME: run,
});

export const caddyExporter: Exporter = {
  target: 'caddy',
  binary: 'caddy',
  defaultFile: 'Caddyfile',
  render: renderCaddy,
  async validate(config, run) {
    const r = await runBinary(
      'caddy',
      ['validate', '--config', config, '--adapter', 'caddyfile'],
      envFor(run),
    );
    return r.code === 0 ? undefined : lastError(r.output) || `caddy validate exited ${r.code}`;
  },
  running: (run) => livePids(join(run, 'caddy.pid')),
  async apply(config, run) {
    if (this.running(run).length === 0) return await start(config, run);
    // caddy reload adapts the file and POSTs it to the admin API's /load named in the file:
    // the new config replaces the old one gracefully, or not at all.
    const r = await runBinary('caddy', ['reload', '--config', config, '--adapter', 'caddyfile'], envFor(run));
    if (r.code !== 0) throw new Error(lastError(r.output) || `caddy reload exited ${r.code}`);
  },
};

/**
 * `caddy run` in the background, its output in caddy.log. Not `caddy start`: its child keeps
 * the caller's stdout and dies of SIGPIPE once the caller (this command) has exited.
 */
async function start(config: string, run: string): Promise<void> {
  const pidFile = join(run, 'caddy.pid');
  const log = openSync(join(run, 'caddy.log'), 'a');
  const child = spawn('caddy', ['run', '--config', config, '--adapter', 'caddyfile', '--pidfile', pidFile], {
    env: envFor(run),
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  const deadline = Date.now() + 10_000;
  // Caddy writes its pid file once the configuration is loaded and listening.
  while (livePids(pidFile).length === 0) {
    const code = await Promise.race([exited, sleep(50).then(() => undefined)]);
    if (code !== undefined) {
      const output = readFileSync(join(run, 'caddy.log'), 'utf8');
      throw new Error(lastError(output) || `caddy run exited ${code}`);
    }
    if (Date.now() > deadline)
      throw new Error(`caddy did not start within 10 s (see ${join(run, 'caddy.log')})`);
  }
}

/** Caddy logs JSON lines before its error: keep the line that says what is wrong. */
function lastError(output: string): string {
  const lines = output.split('\n').filter((l) => l.trim());
  return lines.filter((l) => l.startsWith('Error')).at(-1) ?? lines.at(-1) ?? '';
}
