import { PorticoError } from '../core/errors.js';
import { caddyExporter } from './caddy/index.js';
import type { Exporter, TargetName } from './exporter.js';
import { haproxyExporter } from './haproxy/index.js';
import { nginxExporter } from './nginx/index.js';
import { traefikExporter } from './traefik/index.js';

export type { Exporter, RenderOptions, TargetName } from './exporter.js';

/** The one table of targets: a new gateway is a folder here and one line below. */
export const exporters: Record<TargetName, Exporter> = {
  nginx: nginxExporter,
  haproxy: haproxyExporter,
  caddy: caddyExporter,
  traefik: traefikExporter,
};

export const targetNames = Object.keys(exporters) as TargetName[];

export function exporterFor(target: string | undefined): Exporter {
  const e = target ? exporters[target as TargetName] : undefined;
  if (!e)
    throw new PorticoError('E_USAGE', `--target: give one of ${targetNames.join(', ')}`, {
      hint: 'Example: portico lb generate --target nginx -o nginx.conf',
    });
  return e;
}
