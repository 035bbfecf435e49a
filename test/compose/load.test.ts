import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadComposeProject, requireService } from '../../src/compose/load.js';

const fixtures = fileURLToPath(new URL('../fixtures/compose/', import.meta.url));
const load = (files: string[] | undefined, cwd = fixtures, env: NodeJS.ProcessEnv = {}) =>
  loadComposeProject({ files, cwd, env });

describe('loadComposeProject', () => {
  it('normalizes every short and long port syntax with origins', async () => {
    const p = await load(undefined, `${fixtures}ugly`);
    expect(p.name).toBe('ugly');
    const ports = (svc: string) => requireService(p, svc).ports;
    expect(ports('db').map((x) => [x.hostIp, x.hostPort, x.containerPort])).toEqual([
      ['127.0.0.1', 5432, 5432],
      [undefined, 5433, 5432],
    ]);
    const web = ports('web');
    expect(web.find((x) => x.containerPort === 443)).toMatchObject({
      hostIp: '::1',
      hostPort: 8443,
      protocol: 'tcp',
    });
    expect(web.filter((x) => x.origin.rangeOffset !== undefined).map((x) => x.hostPort)).toEqual([
      9000, 9001, 9002,
    ]);
    expect(web.find((x) => x.containerPort === 53)).toMatchObject({ hostPort: 53, protocol: 'udp' });
    expect(web.find((x) => x.containerPort === 3000)).toMatchObject({
      hostIp: '0.0.0.0',
      hostPort: 3001,
      origin: { syntax: 'long', line: 16 },
    });
    expect(ports('cache')[0]).toMatchObject({ containerPort: 6379 });
    expect(ports('cache')[0]!.hostPort).toBeUndefined();
    expect(ports('cache')[1]).toMatchObject({
      containerPort: 6380,
      hostPortRange: { start: 7000, end: 7005 },
    });
    expect(requireService(p, 'cache')).toMatchObject({ expose: [16379], networks: ['backend'] });
    expect(requireService(p, 'dns')).toMatchObject({ networkMode: 'host', networks: [] });
    expect(p.networks.backend).toMatchObject({ internal: true, subnets: ['10.200.50.0/24'] });
    expect(ports('db')[0]!.origin).toMatchObject({
      line: 7,
      index: 0,
      syntax: 'short',
      raw: '127.0.0.1:5432:5432',
    });
  });

  it('interpolates ${VAR:-default}, ${VAR-default}, $$ and .env, process env winning', async () => {
    const p = await load(undefined, `${fixtures}envvars`);
    const api = requireService(p, 'api');
    // API_PORT is set but empty in .env: ":-" falls back to the default.
    expect(api.ports[0]).toMatchObject({ hostPort: 3001, origin: { variable: { name: 'API_PORT' } } });
    expect(api.ports[1]).toMatchObject({ hostIp: '127.0.0.1', hostPort: 19090 });
    expect(api.ports[1]!.origin.variable).toMatchObject({
      name: 'ADMIN_PORT',
      envFile: `${fixtures}envvars/.env`,
    });
    expect(api.environment).toEqual({ DATABASE_URL: 'postgres://app@db:15432/app', LITERAL: 'cost is $5' });
    const db = requireService(p, 'db');
    expect(db.ports[0]).toMatchObject({
      hostPort: 15432,
      origin: { syntax: 'long', variable: { name: 'DB_PORT' } },
    });
    expect(db.healthcheck).toEqual({
      test: ['sh', '-c', 'pg_isready -U app'],
      disabled: false,
      intervalMs: 90_000,
      timeoutMs: 5000,
      retries: 3,
    });

    const fromEnv = await load(undefined, `${fixtures}envvars`, { DB_PORT: '25432' });
    expect(requireService(fromEnv, 'db').ports[0]!.hostPort).toBe(25432);
    expect(requireService(fromEnv, 'db').ports[0]!.origin.variable?.envFile).toBeUndefined();
  });

  it('merges an override file found next to the main file', async () => {
    const p = await load(undefined, `${fixtures}override`);
    expect(p.files.map((f) => f.split('/').pop())).toEqual([
      'docker-compose.yml',
      'docker-compose.override.yml',
    ]);
    const app = requireService(p, 'app');
    expect(app.ports.map((x) => x.hostPort)).toEqual([8000, 8001]);
    expect(app.labels).toEqual({ tier: 'web', debug: 'true' });
    expect(app.ports[1]!.origin.file).toMatch(/override/);
  });

  it('reads the real awesome-compose files', async () => {
    const p = await load(['awesome-compose-gitea-postgres.yaml', 'awesome-compose-prometheus-grafana.yaml']);
    expect(p.services.map((s) => s.name).sort()).toEqual(['db', 'gitea', 'grafana', 'prometheus']);
    expect(requireService(p, 'grafana').ports[0]).toMatchObject({ hostPort: 3000, containerPort: 3000 });
    expect(requireService(p, 'db').expose).toEqual([5432]);
  });

  it('warns about unset variables instead of failing, like compose', async () => {
    const p = await load(['envvars/compose.yml'], fixtures, { ADMIN_PORT: '1' });
    expect(p.warnings).toEqual([]);
  });

  it.each([
    ['broken/bad-yaml.yaml', 'E_COMPOSE_PARSE', /bad-yaml\.yaml:6:\d+/],
    ['broken/bad-port.yaml', 'E_COMPOSE_PORT_INVALID', /bad-port\.yaml:5: .*70000 is outside 1-65535/],
    [
      'broken/services-list.yaml',
      'E_COMPOSE_INVALID',
      /services-list\.yaml:2: services contains an array, which is an invalid type, it should be an object/,
    ],
    [
      'broken/required-var.yaml',
      'E_COMPOSE_VARIABLE',
      /required-var\.yaml:5: .*required variable WEB_PORT is missing a value: set WEB_PORT to the host port/,
    ],
    ['broken/missing.yaml', 'E_FILE_NOT_FOUND', /missing\.yaml does not exist/],
  ])('%s fails with %s naming the place', async (file, code, message) => {
    await expect(load([file])).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('reports a folder without a compose file', async () => {
    await expect(load(undefined, '/')).rejects.toMatchObject({ code: 'E_COMPOSE_NOT_FOUND' });
  });

  it('names the services when one is unknown', async () => {
    const p = await load(undefined, `${fixtures}override`);
    expect(() => requireService(p, 'auth')).toThrow(
      expect.objectContaining({ code: 'E_COMPOSE_SERVICE_UNKNOWN', hint: 'Services: app.' }),
    );
  });
});
