import { join } from 'node:path';
import type { Exporter } from '../exporter.js';
import { livePids, runBinary } from '../run-binary.js';
import { renderNginx } from './render.js';

const base = (config: string, run: string): string[] => [
  '-c',
  config,
  '-p',
  `${run}/`,
  '-e',
  join(run, 'error.log'),
];

export const nginxExporter: Exporter = {
  target: 'nginx',
  binary: 'nginx',
  defaultFile: 'nginx.conf',
  render: renderNginx,
  async validate(config, run) {
    const r = await runBinary('nginx', ['-t', '-q', ...base(config, run)]);
    return r.code === 0 ? undefined : r.output || `nginx -t exited ${r.code}`;
  },
  running: (run) => livePids(join(run, 'nginx.pid')),
  async apply(config, run) {
    const reload = this.running(run).length > 0;
    // `-s reload`: the master starts workers with the new file and retires the old ones
    // gracefully; if the new file fails at runtime (a port in use) the old workers keep serving.
    const r = await runBinary('nginx', [...(reload ? ['-s', 'reload'] : []), ...base(config, run)]);
    if (r.code !== 0) throw new Error(r.output || `nginx exited ${r.code}`);
  },
};
