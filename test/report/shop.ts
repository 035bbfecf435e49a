import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';

export const shopFixture = fileURLToPath(new URL('../fixtures/report/shop/', import.meta.url));

/** What the fixture writes that a document must never carry unescaped. */
export const hostileStrings = [
  "<script>alert('image')</script>",
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(3)>',
];

export interface Shop {
  dir: string;
  authPort: number;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/**
 * A copy of the shop fixture whose portico.yaml service `auth` is a live HTTP server on
 * loopback (its declared check passes), with a private state dir and a Docker endpoint that
 * does not exist (no engine of this machine is asked anything).
 */
export async function startShop(): Promise<Shop> {
  const server: Server = createServer((req, res) => {
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(req.url === '/health' ? 'ok' : 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const authPort = (server.address() as AddressInfo).port;
  const dir = join(tempDir('portico-report-'), 'shop');
  cpSync(shopFixture, dir, { recursive: true });
  const template = join(dir, 'portico.yaml.in');
  writeFileSync(
    join(dir, 'portico.yaml'),
    readFileSync(template, 'utf8').replaceAll('AUTH_PORT', String(authPort)),
  );
  rmSync(template);
  const state = tempDir('portico-report-home-');
  return {
    dir,
    authPort,
    env: { PORTICO_HOME: state, DOCKER_HOST: `unix://${join(state, 'no-docker.sock')}`, DOCKER_CONTEXT: '' },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
