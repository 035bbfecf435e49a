import { findDefault } from '../../compose/files.js';
import { PorticoError } from '../../core/errors.js';
import { dockerEndpointPresent, resolveDockerEndpoint } from '../../docker/endpoint.js';
import type { Source, SourceName, SourceOptions } from '../source.js';
import { findManifest } from './manifest/load-manifest.js';

interface SourceEntry {
  create(options: SourceOptions): Promise<Source>;
  /** Whether this source applies by default here (used when no --source is given). */
  applies(options: SourceOptions): boolean;
}

/** Every discovery source, registered once. Implementations load lazily. */
export const sourceRegistry: Record<SourceName, SourceEntry> = {
  compose: {
    create: async (o) => new (await import('./compose/compose-source.js')).ComposeSource(o),
    applies: (o) =>
      Boolean(o.composeFiles?.length) || Boolean(o.env.COMPOSE_FILE) || findDefault(o.cwd) !== undefined,
  },
  manifest: {
    create: async (o) => new (await import('./manifest/manifest-source.js')).ManifestSource(o),
    applies: (o) => Boolean(o.manifest) || findManifest(o.cwd) !== undefined,
  },
  docker: {
    create: async (o) => new (await import('./docker/docker-source.js')).DockerSource(o),
    applies: (o) => dockerEndpointPresent(resolveDockerEndpoint(o.env)),
  },
  processes: {
    create: async (o) => new (await import('./processes/processes-source.js')).ProcessesSource(o),
    applies: () => false, // opt-in: --source processes
  },
};

export const sourceNames = Object.keys(sourceRegistry) as SourceName[];

/** Resolve `--source a,b` (or the defaults that apply here) to source instances. */
export async function createSources(
  requested: string[] | undefined,
  options: SourceOptions,
): Promise<Source[]> {
  const names =
    requested && requested.length > 0
      ? requested
          .flatMap((r) => r.split(','))
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  for (const n of names ?? []) {
    if (!(n in sourceRegistry)) {
      throw new PorticoError('E_SOURCE_UNKNOWN', `unknown source "${n}"`, {
        hint: `Sources: ${sourceNames.join(', ')}.`,
      });
    }
  }
  const chosen =
    (names as SourceName[] | undefined) ?? sourceNames.filter((n) => sourceRegistry[n].applies(options));
  return await Promise.all(chosen.map((n) => sourceRegistry[n].create(options)));
}
