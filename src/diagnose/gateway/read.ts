import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PorticoError } from '../../core/errors.js';
import { caddyRoutes } from './caddy.js';
import { haproxyRoutes } from './haproxy.js';
import type { GatewayConfig } from './model.js';
import { nginxRoutes } from './nginx.js';
import { porticoRoutes } from './portico.js';

const candidates = [
  'portico-lb.yaml',
  'portico-lb.yml',
  'nginx.conf',
  'nginx/nginx.conf',
  'haproxy.cfg',
  'haproxy/haproxy.cfg',
  'Caddyfile',
];

export type GatewayKind = GatewayConfig['kind'];

/** Which gateway a file configures: by name, else by content. */
export function detectKind(file: string, text: string): GatewayKind {
  const name = basename(file).toLowerCase();
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return 'portico';
  if (name.includes('haproxy') || /^\s*(frontend|backend)\s/m.test(text)) return 'haproxy';
  if (name.startsWith('caddyfile') || /\breverse_proxy\b/.test(text)) return 'caddy';
  return 'nginx';
}

/** The gateway configuration to analyse: the given file, or a well-known one in the folder. */
export function readGateway(cwd: string, file?: string, kind?: GatewayKind): GatewayConfig | undefined {
  const path = file ? resolve(cwd, file) : candidates.map((c) => join(cwd, c)).find((p) => existsSync(p));
  if (!path) return undefined;
  if (!existsSync(path))
    throw new PorticoError('E_FILE_NOT_FOUND', `gateway configuration ${path} does not exist`);
  const text = readFileSync(path, 'utf8');
  switch (kind ?? detectKind(path, text)) {
    case 'portico':
      return porticoRoutes(path);
    case 'haproxy':
      return haproxyRoutes(text, path);
    case 'caddy':
      return caddyRoutes(text, path);
    default:
      return nginxRoutes(text, path);
  }
}
