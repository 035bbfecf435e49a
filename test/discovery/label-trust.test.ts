import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckSpec, parseCheckSpecFrom } from '../../src/checks/define.js';
import { runCheck } from '../../src/checks/run-check.js';
import type { CommandCheck } from '../../src/core/model.js';
import { readLabels } from '../../src/discovery/labels.js';
import { secretPolicy } from '../../src/discovery/secret-policy.js';
import { loadProject } from '../../src/project/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runPortico } from '../helpers/cli.js';
import { holdPort } from '../helpers/port-holder.js';
import { describeWith } from '../helpers/requirements.js';
import { type RedisServer, startRedis } from '../helpers/servers/redis.js';
import { tempDir } from '../helpers/tmp.js';

describe('labels are untrusted input', () => {
  it('never yield a command check, and say which label was rejected', () => {
    const warnings: string[] = [];
    const labels = readLabels({ 'portico.check': 'command:touch /tmp/x;http:/health' }, (m) =>
      warnings.push(m),
    );
    expect(labels.checks).toEqual([expect.objectContaining({ kind: 'http', origin: 'label' })]);
    expect(warnings).toEqual([expect.stringMatching(/portico\.check.*command.*only portico\.yaml/)]);
  });

  it('fall back to the default checks when every labelled check is rejected', () => {
    const labels = readLabels({ 'portico.check': 'command:id' }, () => {});
    expect(labels.checks).toBeUndefined();
  });

  it('name as passwordEnv only PORTICO_* or what secrets.allowEnv lists', () => {
    const warnings: string[] = [];
    const read = (spec: string) =>
      readLabels({ 'portico.check': spec }, (m) => warnings.push(m), { allowEnv: ['REDIS_PASSWORD'] }).checks;
    expect(read('redis,passwordEnv=HOME')).toBeUndefined();
    expect(warnings[0]).toMatch(/passwordEnv=HOME is not allowed from a label.*secrets\.allowEnv/);
    expect(read('redis,passwordEnv=REDIS_PASSWORD')).toEqual([
      expect.objectContaining({ kind: 'redis', passwordEnv: 'REDIS_PASSWORD' }),
    ]);
    expect(read('postgres:app,passwordEnv=PORTICO_PG')).toEqual([
      expect.objectContaining({ kind: 'postgres', passwordEnv: 'PORTICO_PG' }),
    ]);
    // Without the manifest's allow-list, REDIS_PASSWORD is rejected too.
    expect(
      readLabels({ 'portico.check': 'redis,passwordEnv=REDIS_PASSWORD' }, () => {}).checks,
    ).toBeUndefined();
  });

  it('the CLI and portico.yaml stay trusted', () => {
    expect(parseCheckSpec('command:./check.sh')).toMatchObject({ kind: 'command', origin: 'cli' });
    expect(parseCheckSpec('redis,passwordEnv=HOME')).toMatchObject({ passwordEnv: 'HOME', origin: 'cli' });
    expect(() => parseCheckSpecFrom('command:./check.sh', 'docker')).toThrow(
      expect.objectContaining({ code: 'E_CHECK_UNTRUSTED' }),
    );
  });
});

describe('secrets.allowEnv in portico.yaml', () => {
  it('is the policy handed to sources, and stays strict', async () => {
    const dir = tempDir();
    const policyIn = async (): Promise<unknown> => secretPolicy(await loadProject({ cwd: dir, env: {} }));
    expect(await policyIn()).toEqual({ allowEnv: [] });
    writeFileSync(join(dir, 'portico.yaml'), 'secrets:\n  allowEnv: [REDIS_PASSWORD, PG_PASS]\n');
    expect(await policyIn()).toEqual({ allowEnv: ['REDIS_PASSWORD', 'PG_PASS'] });
    writeFileSync(join(dir, 'portico.yaml'), 'secrets:\n  allowEnvs: [REDIS_PASSWORD]\n');
    await expect(policyIn()).rejects.toMatchObject({ code: 'E_MANIFEST_INVALID' });
    writeFileSync(join(dir, 'portico.yaml'), 'secrets:\n  allowEnv: ["not a name"]\n');
    await expect(policyIn()).rejects.toMatchObject({ code: 'E_MANIFEST_INVALID' });
  });
});

describe('the command probe refuses commands from untrusted origins', () => {
  const forged = (file: string, origin: CommandCheck['origin']): CommandCheck => ({
    id: 'command',
    kind: 'command',
    argv: ['touch', file],
    ...(origin ? { origin } : {}),
    intervalMs: 10_000,
    timeoutMs: 2_000,
    rise: 1,
    fall: 1,
  });

  it('does not run a label, docker or origin-less command, and runs a CLI one', async () => {
    const dir = tempDir();
    for (const origin of ['label', 'docker', 'api', undefined] as const) {
      const file = join(dir, `pwned-${origin ?? 'none'}`);
      expect(await runCheck(forged(file, origin), { address: '127.0.0.1', port: 1 })).toMatchObject({
        status: 'critical',
        reason: 'untrusted',
      });
      expect(existsSync(file)).toBe(false);
    }
    const mine = join(dir, 'trusted');
    expect(await runCheck(forged(mine, 'cli'), { address: '127.0.0.1', port: 1 })).toMatchObject({
      status: 'passing',
    });
    expect(existsSync(mine)).toBe(true);
  });

  it('a compose healthcheck runs only inside its container, never on the host', async () => {
    const file = join(tempDir(), 'pwned-compose');
    const check = { ...forged(file, 'compose') };
    expect(await runCheck(check, { address: '127.0.0.1', port: 1 })).toMatchObject({ reason: 'untrusted' });
    expect(existsSync(file)).toBe(false);
  });
});

interface HealthDoc {
  instances: Array<{
    service: string;
    status: string;
    checks: Array<{ id: string; kind: string; status: string; reason: string | null; output: string }>;
  }>;
}

describeWith(['redis-server'], 'discovery health with hostile compose labels', () => {
  let redis: RedisServer;
  let listening: Awaited<ReturnType<typeof holdPort>>;
  // HOME is the attacker's target: make it the Redis password, so sending it would log in.
  const home = tempDir('portico-home-');

  beforeAll(async () => {
    redis = await startRedis({ password: home });
    listening = await holdPort('127.0.0.1');
  });
  afterAll(async () => {
    await redis?.stop();
    await listening?.stop();
  });

  it('runs no labelled command, sends no unlisted variable, reports both, and honours the allow-list', async () => {
    const project = tempDir();
    const pwned = join(tempDir(), `pwned-${process.pid}`);
    writeFileSync(
      join(project, 'compose.yaml'),
      `name: hostile
services:
  evil:
    image: busybox
    ports: ["127.0.0.1:${listening.port}:80"]
    labels:
      portico.check: "command:touch ${pwned}"
  stealer:
    image: redis:7
    ports: ["127.0.0.1:${redis.port}:6379"]
    labels:
      portico.check: "redis,passwordEnv=HOME"
  allowed:
    image: redis:7
    ports: ["127.0.0.1:${redis.port}:6379"]
    labels:
      portico.check: "redis,passwordEnv=REDIS_PASSWORD"
  prefixed:
    image: redis:7
    ports: ["127.0.0.1:${redis.port}:6379"]
    labels:
      portico.check: "redis,passwordEnv=PORTICO_REDIS_PASSWORD"
`,
    );
    writeFileSync(join(project, 'portico.yaml'), 'secrets:\n  allowEnv: [REDIS_PASSWORD]\n');
    const r = await runPortico(['discovery', 'health', '--json', '--source', 'compose'], {
      cwd: project,
      env: {
        PORTICO_HOME: tempDir(),
        HOME: home,
        REDIS_PASSWORD: home,
        PORTICO_REDIS_PASSWORD: home,
      },
    });
    const doc = r.json<HealthDoc>();
    const service = (name: string) => doc.instances.find((i) => i.service === name)!;

    expect(existsSync(pwned)).toBe(false);
    expect(r.stderr).toMatch(/service evil: label portico\.check: check "command:touch .*" rejected/);
    expect(r.stderr).toMatch(/service stealer: label portico\.check: .*passwordEnv=HOME is not allowed/);
    // The rejected checks are gone; the default TCP check stands in for them.
    expect(service('evil').checks.map((c) => c.kind)).toEqual(['tcp']);
    expect(service('stealer').checks.map((c) => c.kind)).toEqual(['tcp']);
    // The user's allow-list and the PORTICO_ prefix work: these log in with the password.
    expect(service('allowed').checks).toEqual([
      expect.objectContaining({ kind: 'redis', status: 'passing' }),
    ]);
    expect(service('prefixed').checks).toEqual([
      expect.objectContaining({ kind: 'redis', status: 'passing' }),
    ]);
  });

  it('sends no unlisted variable for a check of unknown origin (a catalog row from before the fix)', async () => {
    const legacy = {
      id: 'redis',
      kind: 'redis' as const,
      passwordEnv: 'HOME',
      intervalMs: 10_000,
      timeoutMs: 2_000,
      rise: 1,
      fall: 1,
    };
    const target = { address: '127.0.0.1', port: redis.port };
    expect(await runCheck(legacy, target, { env: { HOME: home } })).toMatchObject({ reason: 'untrusted' });
    // The same check from the user's own command line logs in: HOME really is the password.
    expect(await runCheck({ ...legacy, origin: 'cli' }, target, { env: { HOME: home } })).toMatchObject({
      status: 'passing',
    });
  });

  it('refuses a labelled command already in a catalog written before the fix', async () => {
    const stateDir = tempDir();
    const pwned = join(tempDir(), `pwned-catalog-${process.pid}`);
    const store = new SqliteStore({ path: join(stateDir, 'catalog.db') });
    try {
      await store.register({
        id: 'legacy',
        service: 'legacy',
        address: '127.0.0.1',
        port: listening.port,
        protocol: 'tcp',
        tags: [],
        meta: {},
        source: 'compose',
        // as older versions stored a label's command check: no origin
        checks: [
          {
            id: 'command',
            kind: 'command',
            argv: ['touch', pwned],
            intervalMs: 10_000,
            timeoutMs: 2_000,
            rise: 1,
            fall: 1,
          },
        ],
      });
    } finally {
      await store.close();
    }
    const r = await runPortico(['discovery', 'health', '--json'], { env: { PORTICO_HOME: stateDir } });
    expect(r.code).toBe(1);
    expect(existsSync(pwned)).toBe(false);
    expect(r.json<HealthDoc>().instances[0]!.checks[0]).toMatchObject({
      status: 'critical',
      reason: 'untrusted',
    });
  });
});
