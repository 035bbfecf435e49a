import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadComposeProject, requireService } from '../../src/compose/load.js';
import { tempDir } from '../helpers/tmp.js';
import { corpusDir } from './corpus.js';

const invalid = fileURLToPath(new URL('../fixtures/compose/invalid/', import.meta.url));
const load = (
  dir: string,
  env: NodeJS.ProcessEnv = {},
  extra: { files?: string[]; profiles?: string[] } = {},
) => loadComposeProject({ cwd: dir, env, ...extra });

describe('profiles', () => {
  const dir = `${corpusDir}profiles`;
  it('keeps services without profiles and those of an enabled profile', async () => {
    const none = await load(dir);
    expect(none.services.map((s) => s.name)).toEqual(['app']);
    expect(none.inactiveServices).toEqual(['debug-ui', 'proxy-a', 'proxy-b']);
    expect(none.profiles).toEqual([]);
    const debug = await load(dir, {}, { profiles: ['debug', 'all'] });
    expect(debug.services.map((s) => s.name)).toEqual(['app', 'debug-ui', 'proxy-b']);
    expect(debug.profiles).toEqual(['debug', 'all']);
  });
  it('reads COMPOSE_PROFILES (comma-separated), and --profile wins over it', async () => {
    const fromEnv = await load(dir, { COMPOSE_PROFILES: 'variant-a, debug' });
    expect(fromEnv.services.map((s) => s.name)).toEqual(['app', 'debug-ui', 'proxy-a']);
    const explicit = await load(dir, { COMPOSE_PROFILES: 'variant-a' }, { profiles: ['variant-b'] });
    expect(explicit.services.map((s) => s.name)).toEqual(['app', 'proxy-b']);
  });
  it('enables every profile with *', async () => {
    expect((await load(dir, {}, { profiles: ['*'] })).inactiveServices).toEqual([]);
  });
  it('says a service is inactive rather than unknown', async () => {
    const p = await load(dir);
    expect(() => requireService(p, 'proxy-a')).toThrow(
      /"proxy-a" is not active: none of its profiles is enabled/,
    );
  });
});

describe('interpolation before port parsing', () => {
  it('lets a variable hold IP:PORT and still records it for ports fix', async () => {
    const p = await load(`${corpusDir}interpolation`, { WEB_PORT: '18080' });
    const [bind, web] = requireService(p, 'sentry').ports;
    expect(bind).toMatchObject({
      hostIp: '127.0.0.1',
      hostPort: 9000,
      containerPort: 9000,
      origin: {
        raw: '${SENTRY_BIND}:9000',
        line: 6,
        index: 0,
        syntax: 'short',
        variable: { name: 'SENTRY_BIND', envFile: `${corpusDir}interpolation/.env`, portOffset: 10 },
      },
    });
    // The process environment set WEB_PORT: no .env file to edit, and the variable is the whole port.
    expect(web!.origin.variable).toEqual({ name: 'WEB_PORT' });
    expect(p.warnings).toEqual(['The "UNSET_HOST_IP" variable is not set. Defaulting to a blank string.']);
  });
  it('types values after substitution', async () => {
    const p = await load(`${corpusDir}interpolation`, {});
    expect(requireService(p, 'sentry').healthcheck).toMatchObject({
      retries: 4,
      intervalMs: 5000,
      timeoutMs: 2000,
    });
  });
});

describe('include, extends, env_file and merges', () => {
  it('includes files with their own project directory and variables', async () => {
    const p = await load(`${corpusDir}include`);
    expect(p.name).toBe('shop');
    expect(requireService(p, 'db').ports[0]!.origin).toMatchObject({
      file: `${corpusDir}include/db/compose.yaml`,
      line: 5,
      variable: { name: 'DB_PORT', envFile: `${corpusDir}include/db/.env` },
    });
    expect(requireService(p, 'adminer').ports.map((x) => x.origin.file.split('/').pop())).toEqual([
      'compose.yaml',
      'compose.extra.yaml',
    ]);
  });
  it('extends across files keeping each port where it was written', async () => {
    const p = await load(`${corpusDir}extends`);
    expect(
      requireService(p, 'remote').ports.map((x) => [x.hostPort, x.origin.file.split('/').pop()]),
    ).toEqual([
      [18202, 'services.yaml'],
      [18203, 'compose.yaml'],
    ]);
  });
  it('appends ports across -f files, dropping exact duplicates', async () => {
    const p = await load(`${corpusDir}multi-file`, {}, { files: ['base.yaml', 'prod.yaml'] });
    expect(requireService(p, 'db').ports.map((x) => x.hostPort)).toEqual([15432, 15433]);
    expect(requireService(p, 'db').healthcheck).toMatchObject({
      intervalMs: 90_000,
      timeoutMs: 5000,
      retries: 3,
    });
  });
  it('!override replaces a list instead of appending to it', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'compose.yaml'),
      'services:\n  web:\n    image: x\n    ports: ["18900:80", "18901:81"]\n',
    );
    writeFileSync(
      join(dir, 'compose.override.yaml'),
      'services:\n  web:\n    ports: !override ["18902:80"]\n',
    );
    const p = await load(dir);
    expect(requireService(p, 'web').ports.map((x) => [x.hostPort, x.origin.file.split('/').pop()])).toEqual([
      [18902, 'compose.override.yaml'],
    ]);
  });
  it('!reset drops what an earlier file set', async () => {
    const p = await load(`${corpusDir}reset`);
    expect(requireService(p, 'api').ports).toEqual([]);
  });
});

describe('invalid files: coded errors with file:line, never E_INTERNAL', () => {
  it.each([
    [
      'empty-depends-on.yaml',
      'E_COMPOSE_INVALID',
      'empty-depends-on.yaml:6: services.web.depends_on contains null, which is an invalid type, it should be an array or an object',
    ],
    [
      'empty-networks.yaml',
      'E_COMPOSE_INVALID',
      'empty-networks.yaml:4: services.web.networks contains null, which is an invalid type, it should be an array or an object',
    ],
    [
      'unknown-key.yaml',
      'E_COMPOSE_INVALID',
      "unknown-key.yaml:4: Unsupported config option for services.web: 'portz'",
    ],
    [
      'bad-cast.yaml',
      'E_COMPOSE_INVALID',
      'bad-cast.yaml:6: services.web.healthcheck.retries: "lots" is not a valid integer',
    ],
    ['bad-template.yaml', 'E_COMPOSE_INVALID', 'bad-template.yaml:5: services.web.ports.0: Invalid template'],
    ['missing-env-file.yaml', 'E_FILE_NOT_FOUND', 'missing-env-file.yaml:4: services.web.env_file: env file'],
    [
      'extends-missing.yaml',
      'E_COMPOSE_INVALID',
      'extends-missing.yaml:3: services.web.extends: cannot extend',
    ],
    [
      'extends-cycle.yaml',
      'E_COMPOSE_INVALID',
      'extends-cycle.yaml:3: services.a.extends: circular reference: a → b → a',
    ],
    ['include-cycle.yaml', 'E_COMPOSE_INVALID', 'include-cycle.yaml:2: include[0]: include cycle detected'],
    [
      'include-conflict.yaml',
      'E_COMPOSE_INVALID',
      'include-conflict.yaml:2: include[0]: service "web" is defined both',
    ],
    [
      'bad-duration.yaml',
      'E_COMPOSE_INVALID',
      'bad-duration.yaml:6: services.web.healthcheck.interval: "5 seconds" is not a valid duration',
    ],
    [
      'duplicate-ports.yaml',
      'E_COMPOSE_INVALID',
      'duplicate-ports.yaml:5: services.dup.ports has non-unique elements: items 0 and 1 are identical',
    ],
    ['alias-bomb.yaml', 'E_COMPOSE_PARSE', 'alias-bomb.yaml:2: the file expands to more than 200000 values'],
  ])('%s → %s', async (file, code, message) => {
    await expect(load(invalid, { RETRIES: 'lots' }, { files: [file] })).rejects.toMatchObject({
      code,
      message: expect.stringContaining(message),
    });
  });
});
