import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ComposeSource } from '../../src/discovery/sources/compose/compose-source.js';
import { ManifestSource } from '../../src/discovery/sources/manifest/manifest-source.js';
import { ProcessesSource } from '../../src/discovery/sources/processes/processes-source.js';
import { holdPort } from '../helpers/port-holder.js';

const dir = fileURLToPath(new URL('../fixtures/discovery/', import.meta.url));
const signal = new AbortController().signal;

describe('manifest source', () => {
  it('turns portico.yaml into instances with checks and defaults', async () => {
    const instances = await new ManifestSource({ cwd: dir, env: {} }).snapshot();
    expect(instances.map((i) => [i.service, i.address, i.port])).toEqual([
      ['auth-service', '127.0.0.1', 3001],
      ['auth-service', '127.0.0.1', 3002],
      ['billing', '127.0.0.1', 4000],
    ]);
    expect(instances[1]).toMatchObject({
      protocol: 'http',
      tags: ['api', 'identity', 'canary'],
      meta: { team: 'identity' },
      source: 'manifest',
    });
    expect(instances[0]!.checks).toMatchObject([
      { id: 'http', kind: 'http', path: '/health', intervalMs: 5000, expectStatus: [[200, 299]] },
      { id: 'tcp', kind: 'tcp' },
    ]);
  });

  it.each([
    ['bad/port.yaml', /port\.yaml:5:15: services\.auth-service\.endpoints\.0\.port: Too big/],
    [
      'bad/check.yaml',
      /check\.yaml:7:19: services\.auth-service\.checks\.0\.interval: "soon" is not a duration/,
    ],
    ['bad/unknown-field.yaml', /unknown-field\.yaml:\d+:\d+: services\.auth-service/],
    ['bad/syntax.yaml', /syntax\.yaml:\d+:\d+: /],
  ])('%s names file:line:col and the field', async (file, message) => {
    await expect(new ManifestSource({ cwd: dir, env: {}, manifest: file }).snapshot()).rejects.toMatchObject({
      code: 'E_MANIFEST_INVALID',
      message: expect.stringMatching(message),
    });
  });
});

describe('compose source', () => {
  it('maps published ports, labels and healthchecks', async () => {
    const instances = await new ComposeSource({
      cwd: dir,
      env: {},
      composeFiles: ['compose-labels.yaml'],
    }).snapshot();
    const by = (id: string) => instances.find((i) => i.id === id);
    expect(instances.map((i) => i.id)).toEqual([
      'compose:shop/web:18090',
      'compose:shop/api:18091',
      'compose:shop/db:18093',
      'compose:shop/worker:7000',
    ]);
    expect(by('compose:shop/web:18090')).toMatchObject({
      service: 'storefront',
      address: '127.0.0.1',
      protocol: 'http',
      tags: ['public', 'web', 'compose'],
      meta: { owner: 'web-team', compose_project: 'shop', container_port: '80' },
    });
    // Labels win over the compose healthcheck.
    expect(
      by('compose:shop/web:18090')!.checks.map((c) => [c.kind, 'path' in c ? c.path : undefined]),
    ).toEqual([
      ['http', '/healthz'],
      ['tcp', undefined],
    ]);
    // A localhost HTTP healthcheck becomes a native http check through the published port.
    expect(by('compose:shop/api:18091')!.checks).toMatchObject([
      { kind: 'http', path: '/health', intervalMs: 5000, fall: 2 },
    ]);
    // Anything else runs inside the container, as compose would.
    expect(by('compose:shop/db:18093')!.checks).toMatchObject([
      { kind: 'command', argv: ['sh', '-c', 'pg_isready -U app'], container: 'shop-db-1' },
    ]);
    expect(by('compose:shop/worker:7000')).toMatchObject({
      address: 'worker',
      tags: ['compose', 'internal'],
      meta: { reachable: 'compose-network' },
    });
  });
});

describe('compose source: services that publish nothing', () => {
  it('lists expose-only and network-only services as internal endpoints with their healthchecks', async () => {
    const instances = await new ComposeSource({
      cwd: dir,
      env: {},
      composeFiles: ['compose-internal.yaml'],
    }).snapshot();
    expect(instances.map((i) => [i.id, i.address, i.port])).toEqual([
      ['compose:mesh/gateway:18095', '127.0.0.1', 18095],
      ['compose:mesh/users:8080', 'users', 8080],
      ['compose:mesh/users:9090', 'users', 9090],
      ['compose:mesh/queue', 'queue', 0],
      ['compose:mesh/sidecar:9100', '127.0.0.1', 9100],
    ]);
    const users = instances.find((i) => i.id === 'compose:mesh/users:8080')!;
    expect(users).toMatchObject({
      tags: ['compose', 'internal'],
      meta: { internal: 'true', networks: 'back', reachable: 'compose-network', container: 'mesh-users-1' },
    });
    // The compose healthcheck runs inside the container: the host cannot reach the network.
    expect(users.checks).toMatchObject([
      {
        kind: 'command',
        argv: ['wget', '-q', '-O-', 'http://localhost:8080/health'],
        intervalMs: 15_000,
        fall: 4,
      },
    ]);
    expect(instances.find((i) => i.id === 'compose:mesh/queue')).toMatchObject({
      meta: { container_port: 'none', networks: 'back' },
      checks: [],
    });
    // Host networking: listening on this host, so no `reachable` restriction.
    expect(instances.find((i) => i.id === 'compose:mesh/sidecar:9100')!.meta.reachable).toBeUndefined();
  });

  it('lists a service of an enabled profile only', async () => {
    const withDebug = await new ComposeSource({
      cwd: dir,
      env: {},
      composeFiles: ['compose-internal.yaml'],
      composeProfiles: ['debug'],
    }).snapshot();
    expect(withDebug.map((i) => i.id)).toContain('compose:mesh/debug:7000');
    const fromEnv = await new ComposeSource({
      cwd: dir,
      env: { COMPOSE_PROFILES: 'other' },
      composeFiles: ['compose-internal.yaml'],
    }).snapshot();
    expect(fromEnv.map((i) => i.id)).not.toContain('compose:mesh/debug:7000');
  });
});

describe('processes source', () => {
  it('lists a listening process as a service named after it', async () => {
    const held = await holdPort('127.0.0.1');
    const instances = await new ProcessesSource({ cwd: dir, env: {} }).snapshot();
    expect(instances.find((i) => i.port === held.port)).toMatchObject({
      id: `process:127.0.0.1:${held.port}`,
      service: 'node',
      meta: { pid: String(held.pid) },
      checks: [{ kind: 'tcp' }],
    });
    void signal;
  });
});
