import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PorticoError } from '../../core/errors.js';
import { empty, reason } from './fallback.js';
import type { GatewayConfig } from './model.js';
import { porticoRoutes } from './portico.js';
import { configUnreadable } from './problems.js';
import { readCaddy } from './read-caddy.js';
import { readHaproxy } from './read-haproxy.js';
import { readNginx } from './read-nginx.js';

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

/**
 * The gateway configuration to analyse: the given file, or a well-known one in the folder. A
 * file the user named that is not there is a usage error (E_FILE_NOT_FOUND, exit 2).
 */
export function gatewayConfigPath(cwd: string, file?: string): string | undefined {
  if (!file) return candidates.map((c) => join(cwd, c)).find((p) => existsSync(p));
  const path = resolve(cwd, file);
  if (!existsSync(path))
    throw new PorticoError('E_FILE_NOT_FOUND', `gateway configuration ${path} does not exist`);
  return path;
}

export interface ReadGatewayOptions {
  kind?: GatewayKind;
  /** Where the gateway binaries are looked up (PATH) and the environment they run with. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Read a gateway configuration the way the gateway itself reads it when its binary is on PATH
 * (`nginx -T`, `caddy adapt`, `haproxy -c`), else with Portico's parser, saying so. Whatever
 * goes wrong reading it becomes a problem (a finding) on the result, never a silent empty read.
 */
export async function readGateway(
  cwd: string,
  file?: string,
  options: ReadGatewayOptions = {},
): Promise<GatewayConfig | undefined> {
  const path = gatewayConfigPath(cwd, file);
  if (!path) return undefined;
  const env = options.env ?? process.env;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const kind = options.kind ?? detectKind(path, '');
    return empty(kind, path, [configUnreadable(path, reason(error))]);
  }
  const kind = options.kind ?? detectKind(path, text);
  switch (kind) {
    case 'portico':
      try {
        return porticoRoutes(path);
      } catch (error) {
        return empty(kind, path, [configUnreadable(path, (error as Error).message)]);
      }
    case 'nginx':
      return await readNginx(path, text, env);
    case 'caddy':
      return await readCaddy(path, text, env);
    case 'haproxy':
      return await readHaproxy(path, text, env);
  }
}
