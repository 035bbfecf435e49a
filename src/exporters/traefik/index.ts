import type { Exporter } from '../exporter.js';
import { renderTraefik } from './render.js';
import { validateTraefik } from './validate.js';

/**
 * Traefik through its file provider: Traefik watches the file and applies each complete write
 * by itself, so deploy only writes it atomically. Portico does not run Traefik (its entry
 * points live in Traefik's static configuration), hence no pids and nothing to start.
 */
export const traefikExporter: Exporter = {
  target: 'traefik',
  binary: 'the Traefik file-provider schema',
  defaultFile: 'traefik-dynamic.yaml',
  render: renderTraefik,
  validate: (config) => validateTraefik(config),
  running: () => [],
  async apply() {},
  watchesFile: true,
};
