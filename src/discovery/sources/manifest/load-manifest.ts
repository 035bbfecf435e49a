import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PorticoError } from '../../../core/errors.js';
import { loadYamlConfig } from '../../../core/yaml-config.js';
import { type Manifest, manifestSchema } from './schema.js';

export const manifestNames = ['portico.yaml', 'portico.yml'];

/** The manifest path: explicit, else portico.yaml / portico.yml in cwd; undefined if none. */
export function findManifest(cwd: string, explicit?: string): string | undefined {
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new PorticoError('E_FILE_NOT_FOUND', `manifest ${path} does not exist`);
    return path;
  }
  return manifestNames.map((n) => join(cwd, n)).find((p) => existsSync(p));
}

/** Parse and validate; every error names file:line:column and the field. */
export function loadManifest(path: string): Manifest {
  return loadYamlConfig(
    path,
    manifestSchema,
    'E_MANIFEST_INVALID',
    'See "portico.yaml" in the README for the format.',
  );
}
