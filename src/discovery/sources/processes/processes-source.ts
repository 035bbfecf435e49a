import { checkDefaults } from '../../../checks/define.js';
import type { Instance } from '../../../core/model.js';
import { listListeners } from '../../../ports/listeners.js';
import { guessProtocol } from '../../labels.js';
import { pollWatch } from '../../poll.js';
import type { Source, SourceOptions } from '../../source.js';
import { hostAddress } from '../compose/compose-source.js';

/**
 * Opt-in: every process listening on TCP becomes an instance of a service named after the
 * process. Container ports are left to the docker source (docker-proxy only forwards).
 */
export class ProcessesSource implements Source {
  readonly name = 'processes' as const;

  constructor(private readonly options: SourceOptions) {}

  async snapshot(): Promise<Instance[]> {
    const listeners = await listListeners({ env: this.options.env, docker: false });
    const seen = new Set<string>();
    const out: Instance[] = [];
    for (const l of listeners) {
      const proc = l.processes[0];
      if (l.protocol !== 'tcp' || !proc || proc.name === 'docker-proxy') continue;
      const address = l.scope === 'all' ? hostAddress(l.address === '::' ? '::' : '') : l.address;
      const id = `process:${address}:${l.port}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({
        id,
        service: proc.name,
        address,
        port: l.port,
        protocol: guessProtocol(l.port),
        tags: ['process'],
        meta: { pid: String(proc.pid), command: proc.commandLine.slice(0, 200), bind: l.address },
        source: 'processes',
        checks: [{ id: 'tcp', kind: 'tcp', ...checkDefaults }],
      });
    }
    return out;
  }

  async watch(publish: (instances: Instance[]) => void | Promise<void>, signal: AbortSignal): Promise<void> {
    await pollWatch(
      () => this.snapshot(),
      publish,
      signal,
      this.options.pollMs ?? 2000,
      (e) => this.options.onError?.('processes', e),
    );
  }
}
