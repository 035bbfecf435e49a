/**
 * `portico/discovery`: the sources (compose, docker, manifest, processes) behind one `Source`
 * interface, run once with `discover()` or kept running into a store with `Monitor`.
 */

import type { Instance } from '../core/model.js';
import { secretPolicy } from '../discovery/secret-policy.js';
import type { SourceName, SourceOptions } from '../discovery/source.js';
import { createSources } from '../discovery/sources/index.js';
import { loadProject } from '../project/load.js';

export type { Instance } from '../core/model.js';
export { Monitor, type MonitorEvent, type MonitorOptions } from '../discovery/monitor.js';
export { type OnceResult, runChecksOnce } from '../discovery/run-once.js';
export type { Source, SourceName, SourceOptions } from '../discovery/source.js';
export { createSources, sourceNames } from '../discovery/sources/index.js';
export { type InstanceStatus, instanceStatus, worstOf } from '../discovery/status.js';

export interface DiscoverOptions {
  /** The project folder (or any folder inside it). */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Source names; default every source that applies here (compose, manifest, docker if it answers). */
  sources?: SourceName[];
  signal?: AbortSignal;
}

export interface Discovered {
  /** Every instance found, in source order. */
  instances: Instance[];
  bySource: Partial<Record<SourceName, Instance[]>>;
}

/**
 * Run the sources once for the project at `cwd`, as `portico discovery discover` does. A source
 * that fails throws (E_SOURCE_FAILED); a broken project file is an error, never an empty list.
 */
export async function discover(options: DiscoverOptions): Promise<Discovered> {
  const env = options.env ?? process.env;
  const project = await loadProject({ cwd: options.cwd, env });
  const sourceOptions: SourceOptions = {
    cwd: project?.dir ?? options.cwd,
    env,
    ...(project ? { project } : {}),
    ...(project?.compose?.files ? { composeFiles: project.compose.files } : {}),
    ...(project?.manifest ? { manifest: project.manifest.path } : {}),
    secrets: secretPolicy(project),
  };
  const sources = await createSources(options.sources, sourceOptions);
  const signal = options.signal ?? new AbortController().signal;
  const found = await Promise.all(sources.map(async (s) => [s.name, await s.snapshot(signal)] as const));
  return { instances: found.flatMap(([, list]) => list), bySource: Object.fromEntries(found) };
}
