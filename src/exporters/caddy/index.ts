import { join } from 'node:path';
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
    // caddy reload adapts the file and POSTs it to the admin API's /load named in the file:
    // the new config replaces the old one gracefully, or not at all.
    const args = this.running(run).length > 0 ? ['reload'] : ['start', '--pidfile', join(run, 'caddy.pid')];
    const r = await runBinary('caddy', [...args, '--config', config, '--adapter', 'caddyfile'], envFor(run));
    if (r.code !== 0) throw new Error(lastError(r.output) || `caddy exited ${r.code}`);
  },
};

/** Caddy logs JSON lines before its error: keep the line that says what is wrong. */
function lastError(output: string): string {
  const lines = output.split('\n').filter((l) => l.trim());
  return lines.filter((l) => l.startsWith('Error')).at(-1) ?? lines.at(-1) ?? '';
}
