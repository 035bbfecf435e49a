import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Exporter } from '../exporter.js';
import { livePids, runBinary } from '../run-binary.js';
import { renderHaproxy } from './render.js';

export const haproxyExporter: Exporter = {
  target: 'haproxy',
  binary: 'haproxy',
  defaultFile: 'haproxy.cfg',
  render: renderHaproxy,
  async validate(config) {
    const r = await runBinary('haproxy', ['-c', '-q', '-f', config]);
    return r.code === 0 ? undefined : r.output || `haproxy -c exited ${r.code}`;
  },
  running: (run) => livePids(join(run, 'haproxy.pid')),
  async apply(config, run) {
    const old = this.running(run);
    const socket = join(run, 'haproxy.sock');
    // A new process takes the listening sockets over from the old one (-x) and then tells it to
    // finish its connections and leave (-sf). If the new one fails, the old one keeps serving.
    const args = ['-D', '-f', config];
    if (old.length > 0) {
      if (existsSync(socket)) args.push('-x', socket);
      args.push('-sf', ...old.map(String));
    }
    const r = await runBinary('haproxy', args);
    if (r.code !== 0) throw new Error(r.output || `haproxy exited ${r.code}`);
  },
};
