import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDockerEndpoint } from './endpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'portico-docker-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function context(name: string, host: string): void {
  const id = createHash('sha256').update(name).digest('hex');
  mkdirSync(join(dir, 'contexts', 'meta', id), { recursive: true });
  writeFileSync(
    join(dir, 'contexts', 'meta', id, 'meta.json'),
    JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } }),
  );
}

describe('resolveDockerEndpoint', () => {
  it('follows the docker CLI: DOCKER_HOST, then DOCKER_CONTEXT, then the current context, then the socket', () => {
    context('remote', 'tcp://127.0.0.1:2375');
    context('rootless', 'unix:///run/user/1000/docker.sock');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext: 'rootless' }));
    const base = { DOCKER_CONFIG: dir };
    expect(resolveDockerEndpoint({ ...base, DOCKER_HOST: 'unix:///tmp/d.sock' })).toMatchObject({
      kind: 'unix',
      socketPath: '/tmp/d.sock',
      from: 'DOCKER_HOST',
    });
    expect(resolveDockerEndpoint({ ...base, DOCKER_CONTEXT: 'remote' })).toMatchObject({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 2375,
      tls: false,
      from: 'context remote',
    });
    expect(resolveDockerEndpoint(base)).toMatchObject({
      socketPath: '/run/user/1000/docker.sock',
      from: 'context rootless',
    });
    // An empty DOCKER_HOST is unset, as for the docker CLI.
    expect(resolveDockerEndpoint({ ...base, DOCKER_HOST: '' }).from).toBe('context rootless');
    expect(resolveDockerEndpoint({ DOCKER_CONFIG: join(dir, 'none') })).toMatchObject({
      socketPath: '/var/run/docker.sock',
      from: 'default',
    });
  });

  it('takes TLS from DOCKER_TLS_VERIFY and names what it cannot use', () => {
    expect(
      resolveDockerEndpoint({
        DOCKER_HOST: 'tcp://127.0.0.1',
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: '/c',
      }),
    ).toMatchObject({ kind: 'tcp', port: 2376, tls: true, certPath: '/c' });
    expect(resolveDockerEndpoint({ DOCKER_HOST: 'ssh://user@host' })).toMatchObject({ kind: 'unsupported' });
  });
});
