import { statSync } from 'node:fs';
import { toCheckDefinition, uniqueIds } from '../../../checks/define.js';
import type { Instance } from '../../../core/model.js';
import type { LoadedManifest } from '../../../project/model.js';
import { pollWatch } from '../../poll.js';
import type { Source, SourceOptions } from '../../source.js';
import { findManifest, loadManifest } from './load-manifest.js';

/** Services declared by hand in portico.yaml; re-read when the file changes. */
export class ManifestSource implements Source {
  readonly name = 'manifest' as const;

  /** The manifest the command already loaded: the first snapshot uses it, later ones re-read. */
  private preloaded: LoadedManifest | undefined;

  constructor(private readonly options: SourceOptions) {
    this.preloaded = options.project?.manifest;
  }

  async snapshot(): Promise<Instance[]> {
    const preloaded = this.preloaded;
    this.preloaded = undefined;
    const path = preloaded?.path ?? findManifest(this.options.cwd, this.options.manifest);
    if (!path) return [];
    const manifest = preloaded?.data ?? loadManifest(path);
    return Object.entries(manifest.services).flatMap(([service, spec]) => {
      const checks = uniqueIds(spec.checks.map((c) => toCheckDefinition(c, 'manifest')));
      return spec.endpoints.map((e) => ({
        id: e.id ?? `manifest:${service}:${e.address}:${e.port}`,
        service,
        address: e.address,
        port: e.port,
        protocol: spec.protocol,
        tags: [...spec.tags, ...e.tags],
        meta: { ...spec.meta, ...e.meta },
        source: 'manifest',
        checks,
      }));
    });
  }

  async watch(publish: (instances: Instance[]) => void | Promise<void>, signal: AbortSignal): Promise<void> {
    let stamp = '';
    let last: Instance[] = [];
    await pollWatch(
      async () => {
        const path = findManifest(this.options.cwd, this.options.manifest);
        const now = path ? `${path}:${statSync(path).mtimeMs}` : '';
        if (now !== stamp) {
          last = await this.snapshot();
          stamp = now;
        }
        return last;
      },
      publish,
      signal,
      this.options.pollMs ?? 1000,
      (e) => this.options.onError?.('manifest', e),
    );
  }
}
